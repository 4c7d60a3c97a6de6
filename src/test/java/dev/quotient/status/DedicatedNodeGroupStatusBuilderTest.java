package dev.quotient.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.DedicatedNodeGroupStatus;
import dev.quotient.quota.Resources;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DedicatedNodeGroupStatusBuilderTest {
  private static final String KEY = "quotient.dev/dedicated-node-group";
  private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant T2 = Instant.parse("2026-03-01T10:05:00Z");
  private static final Resources NONE = Resources.ZERO;

  private static DedicatedNodeGroupStatusBuilder.Observed observed(
      boolean tainted, List<String> members, Map<String, String> elsewhere) {
    return new DedicatedNodeGroupStatusBuilder.Observed(
        "dgx", KEY, tainted, members, elsewhere, NONE, NONE, 0);
  }

  private static List<String> list(String csv) {
    return csv == null || csv.isBlank() ? List.of() : List.of(csv.split(","));
  }

  /** "vm003>hpc,vm004>a100" to node -> owner. */
  private static Map<String, String> owners(String csv) {
    Map<String, String> m = new LinkedHashMap<>();
    list(csv).forEach(e -> m.put(e.split(">")[0], e.split(">")[1]));
    return m;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        // title                     | tainted | members     | kept by others | nodes before | Ready
        // | reason                  | message
        //
        //           | Warning
        "members, tainted            | true    | vm002,vm001 | ''             | null         | True  | NodesLabelled           | 2 node(s) labelled "
            + KEY
            + "=dgx and tainted NoSchedule                                                                                                         | false",
        "members, untainted          | false   | vm001       | ''             | 1            | True  | NodesLabelled           | 1 node(s) labelled "
            + KEY
            + "=dgx                                                                                                                                | false",
        "one kept by another group   | true    | vm001       | vm003>hpc      | 1            | True  | NodeClaimedByOtherGroup | 1 node(s) labelled "
            + KEY
            + "=dgx and tainted NoSchedule; claimed by another group (first name wins): [vm003 (kept by hpc)]                                       | false",
        "none yet                    | true    | ''          | ''             | null         | False | NoMatchingNodes         | No node matches this group's nodeSelector or nodeNames; projects placed here stay Pending until a node joins                                                      | true",
        "the last member left        | true    | ''          | ''             | 2            | False | NoMatchingNodes         | No node matches this group's nodeSelector or nodeNames; projects placed here stay Pending until a node joins                                                      | true",
        "still none: no new Warning  | true    | ''          | ''             | 0            | False | NoMatchingNodes         | No node matches this group's nodeSelector or nodeNames; projects placed here stay Pending until a node joins                                                      | false",
        "all kept by others          | true    | ''          | vm004>a,vm003>b | 0           | False | NoMatchingNodes         | No node matches this group's nodeSelector or nodeNames; claimed by other groups: [vm003 (kept by b), vm004 (kept by a)]; projects placed here stay Pending until a node joins | false",
      })
  void readyCondition(
      String title,
      boolean tainted,
      String members,
      String elsewhere,
      Integer nodesBefore,
      String ready,
      String reason,
      String message,
      boolean warning) {
    DedicatedNodeGroupStatus before = null;
    if (nodesBefore != null) {
      before = new DedicatedNodeGroupStatus();
      before.setNodeCount(nodesBefore);
    }
    DedicatedNodeGroupStatusBuilder.Outcome out =
        DedicatedNodeGroupStatusBuilder.next(
            before, observed(tainted, list(members), owners(elsewhere)), 4L, T1);
    Condition c =
        Conditions.find(out.status().getConditions(), DedicatedNodeGroupStatusBuilder.READY);
    assertThat(c.getStatus()).isEqualTo(ready);
    assertThat(c.getReason()).isEqualTo(reason);
    assertThat(c.getMessage()).isEqualTo(message.strip());
    assertThat(c.getObservedGeneration()).isEqualTo(4L);
    assertThat(out.status().getNodeCount()).isEqualTo(list(members).size());
    assertThat(out.status().getNodes())
        .isEqualTo(list(members).isEmpty() ? null : list(members).stream().sorted().toList());
    assertThat(out.events())
        .isEqualTo(
            warning
                ? List.of(StatusEvent.warning(Reason.NoMatchingNodes, message.strip()))
                : List.of());
  }

  @Test
  void capacityAllocatedAndRunningProjectsAreReportedAsQuantities() {
    DedicatedNodeGroupStatus s =
        DedicatedNodeGroupStatusBuilder.next(
                null,
                new DedicatedNodeGroupStatusBuilder.Observed(
                    "dgx",
                    KEY,
                    true,
                    List.of("vm001", "vm002"),
                    Map.of(),
                    new Resources(64_000, 512L << 30, 8),
                    new Resources(1_500, 6554L << 20, 1),
                    3),
                1L,
                T1)
            .status();
    assertThat(s.getCapacity().getCpu()).isEqualTo("64");
    assertThat(s.getCapacity().getMemory()).isEqualTo("512Gi");
    assertThat(s.getCapacity().getGpu()).isEqualTo("8");
    assertThat(s.getAllocated().getCpu()).isEqualTo("1500m");
    assertThat(s.getAllocated().getMemory()).isEqualTo("6554Mi");
    assertThat(s.getAllocated().getGpu()).isEqualTo("1");
    assertThat(s.getRunningProjects()).isEqualTo(3);
    assertThat(s.getObservedGeneration()).isEqualTo(1L);
  }

  @Test
  void lastTransitionTimeChangesOnlyWhenReadyFlips() {
    DedicatedNodeGroupStatus one =
        DedicatedNodeGroupStatusBuilder.next(
                null, observed(true, List.of("vm001"), Map.of()), 1L, T1)
            .status();
    DedicatedNodeGroupStatus two =
        DedicatedNodeGroupStatusBuilder.next(
                one, observed(true, List.of("vm001", "vm002"), Map.of()), 2L, T2)
            .status();
    assertThat(transition(two)).as("still Ready, other message").isEqualTo(T1.toString());
    DedicatedNodeGroupStatus none =
        DedicatedNodeGroupStatusBuilder.next(two, observed(true, List.of(), Map.of()), 2L, T2)
            .status();
    assertThat(transition(none)).isEqualTo(T2.toString());
  }

  @Test
  void theSameObservationGivesAnEqualStatusSoNothingIsWritten() {
    DedicatedNodeGroupStatus first =
        DedicatedNodeGroupStatusBuilder.next(
                null, observed(true, List.of("vm001"), Map.of()), 1L, T1)
            .status();
    assertThat(
            DedicatedNodeGroupStatusBuilder.next(
                    first, observed(true, List.of("vm001"), Map.of()), 1L, T2)
                .status())
        .isEqualTo(first);
  }

  private static String transition(DedicatedNodeGroupStatus s) {
    return Conditions.find(s.getConditions(), DedicatedNodeGroupStatusBuilder.READY)
        .getLastTransitionTime();
  }

  @Test
  void aGroupWhoseSpecCannotBeReadSaysSoOnce() {
    String problem = "spec.nodeNames is \"vm001\" (text) where a list belongs";
    DedicatedNodeGroupStatusBuilder.Outcome first =
        DedicatedNodeGroupStatusBuilder.unreadable(
            null, observed(true, List.of(), Map.of()), problem, 3L, T1);
    Condition ready = Conditions.find(first.status().getConditions(), "Ready");
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("SpecInvalid");
    assertThat(ready.getMessage())
        .isEqualTo(
            "The spec cannot be read: "
                + problem
                + "; no node belongs to this group until an admin fixes it");
    assertThat(first.status().getNodeCount()).isZero();
    assertThat(first.events())
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.SpecInvalid));
    // the next reconcile of the same spec writes no new Warning
    DedicatedNodeGroupStatusBuilder.Outcome again =
        DedicatedNodeGroupStatusBuilder.unreadable(
            first.status(), observed(true, List.of(), Map.of()), problem, 3L, T2);
    assertThat(again.events()).isEmpty();
    assertThat(Conditions.find(again.status().getConditions(), "Ready").getLastTransitionTime())
        .isEqualTo(ready.getLastTransitionTime());
  }

  private static final long GI = 1L << 30;

  private static dev.quotient.admission.TeamShares twoTeams() {
    return new dev.quotient.admission.TeamShares(
        List.of(
            new dev.quotient.admission.TeamShares.Team("a", new Resources(4000, 16 * GI, 0)),
            new dev.quotient.admission.TeamShares.Team("b", new Resources(2000, 8 * GI, 0))),
        true,
        Map.of(),
        List.of());
  }

  private static dev.quotient.admission.Lease lease(
      String ns, String name, long cpus, String team, boolean borrowed) {
    Resources r = new Resources(cpus * 1000, GI, 0);
    return new dev.quotient.admission.Lease(
        new dev.quotient.admission.ProjectKey(ns, name),
        "project-" + name,
        r,
        r,
        List.of(),
        "dgx",
        false,
        borrowed
            ? dev.quotient.admission.TeamPlacement.borrowing(team, T1)
            : team == null ? null : dev.quotient.admission.TeamPlacement.within(team));
  }

  private static String show(dev.quotient.api.ResourceTotals t) {
    return t.getCpu() + "/" + t.getMemory() + "/" + t.getGpu();
  }

  @Test
  void eachTeamShowsItsShareWhatItUsesBorrowsAndLends() {
    Resources cap = new Resources(8000, 32 * GI, 0);
    var observed =
        new DedicatedNodeGroupStatusBuilder.Observed(
            "dgx",
            KEY,
            true,
            List.of("vm1"),
            Map.of(),
            cap,
            new Resources(8000, 4 * GI, 0),
            4,
            twoTeams(),
            List.of(
                lease("alpha", "a1", 1, "a", false),
                lease("beta", "b0", 2, "b", false),
                lease("beta", "b1", 4, "b", true),
                lease("gamma", "g1", 1, null, false)));
    DedicatedNodeGroupStatus status =
        DedicatedNodeGroupStatusBuilder.next(null, observed, 1L, T1).status();

    assertThat(status.getTeams())
        .extracting(
            t -> t.getName(),
            t -> show(t.getShare()),
            t -> show(t.getUsed()),
            t -> show(t.getBorrowing()),
            t -> show(t.getLent()),
            t -> t.getRunningProjects())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", "4/16Gi/0", "1/1Gi/0", "0/0/0", "3/0/0", 1),
            org.assertj.core.groups.Tuple.tuple("b", "2/8Gi/0", "2/1Gi/0", "4/1Gi/0", "0/0/0", 2),
            org.assertj.core.groups.Tuple.tuple(
                "unassigned", "2/8Gi/0", "1/1Gi/0", "0/0/0", "1/1Gi/0", 1));
    Condition c =
        status.getConditions().stream()
            .filter(x -> x.getType().equals("TeamShares"))
            .findFirst()
            .orElseThrow();
    assertThat(c.getStatus()).isEqualTo("True");
    assertThat(c.getReason()).isEqualTo("SharesWithinCapacity");
    assertThat(c.getMessage())
        .isEqualTo(
            "2 team share(s) of cpu 6, memory 24Gi, gpu 0 within the capacity of cpu 8, memory"
                + " 32Gi, gpu 0; namespaces in no team share the rest; preemptible projects may"
                + " borrow idle share");
  }

  @Test
  void sharesAboveTheCapacityAreAConditionAndOneWarning() {
    Resources cap = new Resources(4000, 32 * GI, 0);
    var observed =
        new DedicatedNodeGroupStatusBuilder.Observed(
            "dgx", KEY, true, List.of("vm1"), Map.of(), cap, NONE, 0, twoTeams(), List.of());
    var first = DedicatedNodeGroupStatusBuilder.next(null, observed, 1L, T1);
    Condition c =
        first.status().getConditions().stream()
            .filter(x -> x.getType().equals("TeamShares"))
            .findFirst()
            .orElseThrow();
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getReason()).isEqualTo("SharesExceedCapacity");
    assertThat(c.getMessage())
        .isEqualTo(
            "The team shares add up to cpu 6, memory 24Gi, gpu 0, more than the group's capacity"
                + " of cpu 4, memory 32Gi, gpu 0: not every team can get its share at once; lower"
                + " the shares or add nodes");
    assertThat(first.events())
        .extracting(StatusEvent::reason)
        .containsExactly(Reason.SharesExceedCapacity);
    assertThat(first.status().getTeams())
        .extracting(t -> t.getName(), t -> show(t.getShare()))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", "4/16Gi/0"),
            org.assertj.core.groups.Tuple.tuple("b", "2/8Gi/0"),
            org.assertj.core.groups.Tuple.tuple("unassigned", "0/8Gi/0"));
    var again = DedicatedNodeGroupStatusBuilder.next(first.status(), observed, 1L, T2);
    assertThat(again.events()).as("said once").isEmpty();

    var unreadable =
        new dev.quotient.admission.TeamShares(
            twoTeams().teams(),
            false,
            Map.of(),
            List.of("team a: cpu '4 cores' is not a quantity"));
    var bad =
        DedicatedNodeGroupStatusBuilder.next(
            null,
            new DedicatedNodeGroupStatusBuilder.Observed(
                "dgx", KEY, true, List.of("vm1"), Map.of(), cap, NONE, 0, unreadable, List.of()),
            1L,
            T1);
    assertThat(bad.status().getConditions())
        .filteredOn(x -> x.getType().equals("TeamShares"))
        .extracting(Condition::getReason, Condition::getMessage)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "ShareInvalid", "team a: cpu '4 cores' is not a quantity; fix spec.teams"));

    var removed =
        DedicatedNodeGroupStatusBuilder.next(
            first.status(), observed(true, List.of("vm1"), Map.of()), 1L, T2);
    assertThat(removed.status().getTeams()).isNull();
    assertThat(removed.status().getConditions())
        .extracting(Condition::getType)
        .containsExactly("Ready");
  }
}
