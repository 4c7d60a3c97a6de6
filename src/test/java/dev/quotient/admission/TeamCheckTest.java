package dev.quotient.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.pod.ProjectPodFactory;
import dev.quotient.quota.Resources;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Team shares of a node group as admission decides them, as tables. The group "g" has 8 cpus; team
 * a (namespace alpha) is guaranteed 4, team b (namespace beta) 2, and namespaces in no team (gamma)
 * share the 2 left over.
 */
class TeamCheckTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  static final long GI = 1L << 30;

  static TeamShares shares(boolean overQuota) {
    return new TeamShares(
        List.of(
            new TeamShares.Team("a", new Resources(4000, 16 * GI, 0)),
            new TeamShares.Team("b", new Resources(2000, 8 * GI, 0))),
        overQuota,
        Map.of("alpha", "a", "beta", "b"),
        List.of());
  }

  static AdmissionLimits limits(boolean overQuota, long cpus) {
    return new AdmissionLimits(
            new Resources(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE),
            Long.MAX_VALUE,
            Map.of("g", new Resources(cpus * 1000, 32 * GI, 0)),
            Map.of())
        .withNodeGroupTeams(Map.of("g", shares(overQuota)));
  }

  static AdmissionRequest request(String who, long cpus, boolean preemptible) {
    ProjectKey key = key(who);
    Resources r = new Resources(cpus * 1000, GI, 0);
    return new AdmissionRequest(
        key,
        ProjectPodFactory.podName(key.name()),
        r,
        r,
        List.of(),
        List.of("g"),
        null,
        false,
        preemptible);
  }

  static ProjectKey key(String who) {
    String[] p = who.split("/");
    return new ProjectKey(p[0], p[1]);
  }

  /**
   * "alpha/a1:1, beta/b1:2*3": a lease of 1 cpu within alpha's share, one of 2 cpus borrowed by
   * beta/b1, admitted 3 minutes after T0.
   */
  static List<Lease> running(String spec, TeamShares shares) {
    List<Lease> out = new ArrayList<>();
    if (spec == null || spec.isBlank()) {
      return out;
    }
    for (String item : spec.split(",")) {
      String[] whoCpu = item.trim().split(":");
      ProjectKey key = key(whoCpu[0]);
      String[] cpuSince = whoCpu[1].split("\\*");
      Resources r = new Resources(Long.parseLong(cpuSince[0]) * 1000, GI, 0);
      String team = shares.teamOf(key.namespace());
      TeamPlacement placement =
          cpuSince.length > 1
              ? TeamPlacement.borrowing(
                  team, T0.plus(Duration.ofMinutes(Long.parseLong(cpuSince[1]))))
              : team == null ? null : TeamPlacement.within(team);
      out.add(
          new Lease(
              key, ProjectPodFactory.podName(key.name()), r, r, List.of(), "g", false, placement));
    }
    return out;
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "-",
      textBlock =
          """
          # case                                   | over | cpus | running                                            | request    | cpu | preemptible | expected        | preempted
          guarantee held: within its share           | no   | 8    | beta/b0:2                                          | alpha/x    | 4   | no          | within a        | -
          guarantee held: beyond it, no over-quota   | no   | 8    | alpha/a1:4                                         | alpha/x    | 1   | yes         | wait team a     | -
          no borrowing by a non-preemptible project  | yes  | 8    | alpha/a1:4                                         | alpha/x    | 1   | no          | wait team a     | -
          borrowing: idle share of other teams       | yes  | 8    | alpha/a1:4                                         | alpha/x    | 2   | yes         | borrowed a      | -
          borrowing: from the unassigned part        | yes  | 8    | gamma/g0:2                                         | gamma/x    | 1   | yes         | borrowed -      | -
          unassigned part: within what is left       | no   | 8    | -                                                  | gamma/x    | 2   | no          | within -        | -
          unassigned part: more than is left         | no   | 8    | -                                                  | gamma/x    | 3   | no          | never team -    | -
          never fits its share, not preemptible      | yes  | 8    | -                                                  | alpha/x    | 5   | no          | never team a    | -
          preemptible: only the group bounds it      | yes  | 8    | -                                                  | alpha/x    | 5   | yes         | borrowed a      | -
          reclaim: the youngest borrowed lease       | yes  | 8    | alpha/a1:2, beta/b0:2, beta/b1:1*1, gamma/g1:1*3, gamma/g0:2 | alpha/x | 1 | no | wait team a | gamma/g1
          reclaim: a minimal set, not a prefix       | yes  | 8    | alpha/a1:1, beta/b0:2, beta/b1:1*1, beta/b2:3*2, gamma/g1:1*3 | alpha/x | 3 | no | wait team a | beta/b2
          reclaim: as many as needed                 | yes  | 8    | alpha/a1:1, beta/b0:2, beta/b1:1*1, beta/b2:1*2, gamma/g1:3*3 | alpha/x | 3 | no | wait team a | gamma/g1
          reclaim: youngest first, none not needed   | yes  | 8    | beta/b0:2, alpha/a9:1*4, beta/b1:2*1, beta/b2:2*2, gamma/g1:1*3 | alpha/x | 4 | no | wait team a | alpha/a9 beta/b2 gamma/g1
          reclaim: also for a preemptible project    | yes  | 8    | alpha/a1:2, beta/b0:2, beta/b1:1*1, gamma/g1:1*3, gamma/g0:2 | alpha/x | 1 | yes | wait team a | gamma/g1
          reclaim for the unassigned part            | yes  | 8    | alpha/a1:4, beta/b0:2, alpha/a2:2*1                 | gamma/x    | 1   | no          | wait team -     | alpha/a2
          no preemption of leases within their share | yes  | 7    | alpha/a1:3, beta/b0:2, gamma/g0:2                  | alpha/x    | 1   | no          | wait group      | -
          no preemption that would not make room     | yes  | 5    | alpha/a1:2, beta/b0:2, beta/b1:1*1                 | alpha/x    | 2   | no          | wait group      | -
          borrowing, and the group is full           | yes  | 8    | alpha/a1:4, beta/b0:2, gamma/g0:2                  | alpha/x    | 1   | yes         | wait group      | -
          """)
  void decides(
      String name,
      String over,
      long cpus,
      String running,
      String who,
      long cpu,
      String preemptible,
      String expected,
      String preempted) {
    boolean overQuota = over.equals("yes");
    LeaseLedger ledger = new LeaseLedger();
    List<ProjectKey> told = new ArrayList<>();
    ledger.onPreempt(told::addAll);
    running(running, shares(overQuota)).forEach(ledger::reserve);
    AdmissionRequest ask = request(who, cpu, preemptible.equals("yes"));

    AdmissionDecision d =
        ledger.admit(
            ask.project(),
            slots -> ask,
            limits(overQuota, cpus),
            T0.plusSeconds(3600),
            Duration.ofMinutes(5));

    assertThat(describe(d)).as(name).isEqualTo(expected);
    List<ProjectKey> victims =
        preempted == null
            ? List.of()
            : Arrays.stream(preempted.split(" ")).map(TeamCheckTest::key).toList();
    assertThat(told).as(name + ": preempted").containsExactlyInAnyOrderElementsOf(victims);
    victims.forEach(
        v ->
            assertThat(ledger.preemption(v))
                .as(name + ": " + v + " is told who reclaims")
                .hasValueSatisfying(p -> assertThat(p.by()).isEqualTo(ask.project())));
  }

  /** "within a", "borrowed a", "wait team a", "wait group", "never team a" ("-": unassigned). */
  static String describe(AdmissionDecision d) {
    if (d instanceof AdmissionDecision.Admitted a) {
      TeamPlacement t = a.lease().team();
      String team = t == null || t.team() == null ? "-" : t.team();
      return (t != null && t.borrowed() ? "borrowed " : "within ") + team;
    }
    AdmissionDecision.Waiting w = (AdmissionDecision.Waiting) d;
    String where =
        w.bottleneck().scope() instanceof Scope.Team t
            ? "team " + (t.team() == null ? "-" : t.team())
            : w.bottleneck().scope() instanceof Scope.NodeGroup
                ? "group"
                : w.bottleneck().scope().key();
    return (w.neverFits() ? "never " : "wait ") + where;
  }

  @Test
  void theReclaimerStartsOnceThePreemptedPodIsGoneAndTheVictimWaitsBehindIt() {
    LeaseLedger ledger = new LeaseLedger();
    running("alpha/a1:2, beta/b0:2, gamma/g0:2, beta/b1:2*1", shares(true))
        .forEach(ledger::reserve);
    AdmissionLimits limits = limits(true, 8);
    AdmissionRequest x = request("alpha/x", 2, false);
    Instant now = T0.plusSeconds(3600);

    AdmissionDecision.Waiting w =
        (AdmissionDecision.Waiting)
            ledger.admit(x.project(), s -> x, limits, now, Duration.ofMinutes(5));
    assertThat(w.bottleneck().resource()).isEqualTo(BottleneckResource.TeamShare);
    assertThat(w.bottleneck().message())
        .isEqualTo(
            "team share a of node group g: needs cpu 2, memory 1Gi, gpu 0 within the share, which"
                + " preemptible projects of other teams borrow; preempting beta/b1 to reclaim it");
    assertThat(ledger.preemption(key("beta/b1")))
        .hasValueSatisfying(
            p ->
                assertThat(p.describe())
                    .isEqualTo("alpha/x (team a) reclaims its share of node group g"));

    // Asking again while the pod goes away preempts nobody else, and nobody may borrow meanwhile.
    List<ProjectKey> told = new ArrayList<>();
    ledger.onPreempt(told::addAll);
    ledger.admit(x.project(), s -> x, limits, now.plusSeconds(1), Duration.ofMinutes(5));
    assertThat(told).isEmpty();
    AdmissionRequest borrower = request("gamma/y", 1, true);
    AdmissionDecision.Waiting paused =
        (AdmissionDecision.Waiting)
            ledger.admit(
                borrower.project(),
                s -> borrower,
                limits,
                now.plusSeconds(2),
                Duration.ofMinutes(5));
    assertThat(paused.bottleneck().message()).contains("borrowing is paused");

    // The preempted pod is gone: the preempted project asks first, but the reclaimer is older.
    ledger.release(key("beta/b1"));
    assertThat(ledger.preemption(key("beta/b1"))).isEmpty();
    AdmissionRequest again = request("beta/b1", 2, true);
    AdmissionDecision d =
        ledger.admit(
            again.project(), s -> again, limits, now.plusSeconds(3), Duration.ofMinutes(5));
    assertThat(d).isInstanceOf(AdmissionDecision.Waiting.class);
    assertThat(((AdmissionDecision.Waiting) d).bottleneck().message())
        .startsWith("queued behind alpha/x");
    assertThat(ledger.admit(x.project(), s -> x, limits, now.plusSeconds(4), Duration.ofMinutes(5)))
        .isInstanceOf(AdmissionDecision.Admitted.class);
  }

  @Test
  void nobodyIsPreemptedForAProjectThatIsShortElsewhereToo() {
    LeaseLedger ledger = new LeaseLedger();
    running("alpha/a1:2, beta/b0:2, gamma/g0:2, beta/b1:2*1", shares(true))
        .forEach(ledger::reserve);
    AdmissionLimits full =
        new AdmissionLimits(
                new Resources(8000, Long.MAX_VALUE, Long.MAX_VALUE),
                Long.MAX_VALUE,
                Map.of("g", new Resources(8000, 32 * GI, 0)),
                Map.of())
            .withNodeGroupTeams(Map.of("g", shares(true)));
    AdmissionRequest x = request("alpha/x", 2, false);
    AdmissionDecision.Waiting w =
        (AdmissionDecision.Waiting)
            ledger.admit(x.project(), s -> x, full, T0.plusSeconds(3600), Duration.ofMinutes(5));
    assertThat(w.bottleneck().scope()).isEqualTo(Scope.CLUSTER);
    assertThat(ledger.preemption(key("beta/b1"))).isEmpty();
  }

  @Test
  void rebuiltFromPodsTheLedgerDecidesTheSame() {
    TeamShares shares = shares(true);
    List<Lease> before =
        running("alpha/a1:2, beta/b0:2, gamma/g0:2, beta/b1:1*1, gamma/g1:1*2", shares);
    List<Pod> pods = before.stream().map(TeamCheckTest::pod).toList();
    List<Lease> rebuilt =
        pods.stream().map(PodLeases::lease).flatMap(java.util.Optional::stream).toList();
    assertThat(rebuilt).containsExactlyInAnyOrderElementsOf(before);

    LeaseLedger ledger = new LeaseLedger();
    ledger.rebuild(rebuilt);
    AdmissionRequest x = request("alpha/x", 1, false);
    ledger.admit(x.project(), s -> x, limits(true, 8), T0.plusSeconds(3600), Duration.ofMinutes(5));
    assertThat(ledger.preemption(key("gamma/g1")))
        .as("the youngest, from its annotation")
        .isPresent();
    assertThat(ledger.preemption(key("beta/b1"))).isEmpty();
  }

  /** The pod a lease's project would have: the labels the pod factory and TeamLabels write. */
  static Pod pod(Lease l) {
    Map<String, String> labels = new HashMap<>();
    labels.put("quotient.dev/cpu-millis", Long.toString(l.requests().cpuMillis()));
    labels.put("quotient.dev/memory-bytes", Long.toString(l.requests().memoryBytes()));
    labels.put("quotient.dev/gpu", "0");
    labels.put("quotient.dev/node-group", l.nodeGroup());
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(l.podName())
            .withNamespace(l.project().namespace())
            .withLabels(labels)
            .addNewOwnerReference()
            .withApiVersion("quotient.dev/v1alpha1")
            .withKind("Project")
            .withName(l.project().name())
            .withUid("uid-" + l.project().name())
            .endOwnerReference()
            .endMetadata()
            .build();
    TeamLabels.apply(pod, l.team());
    return pod;
  }
}
