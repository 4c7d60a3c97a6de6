package dev.quotient.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.quota.Resources;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The ledger against a reference model that is obviously right (a map of leases, totals summed from
 * scratch), over random sequences of admit+reserve, release and rebuild.
 */
class LeaseLedgerPropertiesTest {
  private static final Resources CLUSTER = new Resources(4_000, 8L << 30, 2);
  private static final long MAX_PROJECTS = 6;
  private static final AdmissionLimits LIMITS =
      new AdmissionLimits(
          CLUSTER, MAX_PROJECTS, Map.of("g", new Resources(2_000, 4L << 30, 1)), Map.of());

  sealed interface Op {}

  record Start(int project, long cpu, long memMi, long gpu, boolean onGroup, int license)
      implements Op {}

  record Stop(int project) implements Op {}

  record Rebuild() implements Op {}

  @Provide
  Arbitrary<List<Op>> operations() {
    Arbitrary<Op> start =
        Combinators.combine(
                Arbitraries.integers().between(0, 11),
                Arbitraries.longs().between(0, 2_500),
                Arbitraries.longs().between(0, 6_000),
                Arbitraries.longs().between(0, 2),
                Arbitraries.of(true, false),
                Arbitraries.integers().between(-1, 2))
            .as(Start::new);
    Arbitrary<Op> stop = Arbitraries.integers().between(0, 11).map(Stop::new);
    Arbitrary<Op> rebuild = Arbitraries.just(new Rebuild());
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, start),
            net.jqwik.api.Tuple.of(3, stop),
            net.jqwik.api.Tuple.of(1, rebuild))
        .list()
        .ofMaxSize(60);
  }

  @Property(tries = 400)
  void ledgerAgreesWithTheModelAndNeverExceedsALimit(@ForAll("operations") List<Op> ops) {
    LeaseLedger ledger = new LeaseLedger();
    Map<ProjectKey, Lease> model = new HashMap<>();
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    for (Op op : ops) {
      now = now.plusSeconds(1);
      if (op instanceof Start s) {
        ProjectKey key = new ProjectKey("ns", "p" + s.project());
        if (model.containsKey(key)) {
          continue;
        }
        Resources req = new Resources(s.cpu(), s.memMi() << 20, s.gpu());
        List<String> groups = s.onGroup() ? List.of("g") : List.of();
        List<String> licenses = s.license() < 0 ? List.of() : List.of("lic" + s.license());
        AdmissionDecision d =
            ledger.admit(
                key,
                slots ->
                    new AdmissionRequest(
                        key, "project-" + key.name(), req, req, licenses, groups, "nvidia.com/gpu"),
                LIMITS,
                now,
                Duration.ofMinutes(5));
        boolean fits = fitsModel(model, req, s.onGroup());
        if (d instanceof AdmissionDecision.Admitted a) {
          assertThat(fits).as("admission of %s with %s", req, model.values()).isTrue();
          model.put(key, a.lease());
        } else if (fits) {
          // It fits, so only an older waiting project that goes first may hold it back.
          assertThat(((AdmissionDecision.Waiting) d).bottleneck().resource())
              .as("refusal of %s with %s", req, model.values())
              .isEqualTo(BottleneckResource.Queue);
        }
      } else if (op instanceof Stop s) {
        ProjectKey key = new ProjectKey("ns", "p" + s.project());
        ledger.release(key);
        ledger.forget(key);
        model.remove(key);
      } else {
        ledger.rebuild(new ArrayList<>(model.values()));
      }
      assertAgrees(ledger, model);
    }
    new ArrayList<>(model.keySet()).forEach(ledger::release);
    assertThat(ledger.size()).isZero();
    assertThat(ledger.total()).isEqualTo(Resources.ZERO);
    assertThat(ledger.licenseUse()).isEmpty();
  }

  private static boolean fitsModel(Map<ProjectKey, Lease> model, Resources req, boolean onGroup) {
    Resources used =
        model.values().stream().map(Lease::requests).reduce(Resources.ZERO, Resources::plus);
    Resources group =
        model.values().stream()
            .filter(l -> "g".equals(l.nodeGroup()))
            .map(Lease::requests)
            .reduce(Resources.ZERO, Resources::plus);
    return model.size() + 1 <= MAX_PROJECTS
        && used.plus(req).fitsIn(CLUSTER)
        && (!onGroup || group.plus(req).fitsIn(LIMITS.nodeGroupCapacity().get("g")));
  }

  private static void assertAgrees(LeaseLedger ledger, Map<ProjectKey, Lease> model) {
    Resources total =
        model.values().stream().map(Lease::requests).reduce(Resources.ZERO, Resources::plus);
    assertThat(ledger.total()).isEqualTo(total);
    assertThat(total.fitsIn(CLUSTER)).isTrue();
    assertThat(ledger.size()).isEqualTo(model.size()).isLessThanOrEqualTo((int) MAX_PROJECTS);
    assertThat(new HashSet<>(ledger.snapshot().leases())).isEqualTo(Set.copyOf(model.values()));
    for (int i = 0; i < 3; i++) {
      String lic = "lic" + i;
      assertThat(ledger.licenseUse(lic, null))
          .isEqualTo((int) model.values().stream().filter(l -> l.licenses().contains(lic)).count());
    }
    LeaseLedger rebuilt = new LeaseLedger();
    rebuilt.rebuild(model.values());
    assertThat(rebuilt.total()).isEqualTo(ledger.total());
    assertThat(new HashSet<>(rebuilt.snapshot().leases()))
        .isEqualTo(new HashSet<>(ledger.snapshot().leases()));
  }
}
