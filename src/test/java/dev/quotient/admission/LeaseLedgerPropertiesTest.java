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
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ledger against a reference model that is obviously right (a map of leases, totals summed from
 * scratch), over random sequences of admit+reserve, release and rebuild: {@value #TRIES} sequences,
 * each from its own seed. A failure names its seed and operations; rerun that one alone with {@code
 * -Dquotient.seed=N}.
 */
class LeaseLedgerPropertiesTest {
  /** Consecutive seeds from a fixed base, so every build checks the same sequences. */
  private static final long BASE_SEED = 20260101L;

  private static final int TRIES = 400;
  private static final int MAX_OPERATIONS = 60;
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

  static LongStream seeds() {
    Long one = Long.getLong("quotient.seed");
    return one != null ? LongStream.of(one) : LongStream.range(BASE_SEED, BASE_SEED + TRIES);
  }

  /**
   * Up to {@value #MAX_OPERATIONS} operations: starts, stops and rebuilds in the ratio 6:3:1, over
   * 12 projects, so projects stop and start again and every limit is reached.
   */
  static List<Op> operations(Random random) {
    int size = random.nextInt(MAX_OPERATIONS + 1);
    // A third of the sequences ask for small requests, so the running-project limit binds before
    // cpu and memory do.
    long scale = random.nextInt(3) == 0 ? 10 : 1;
    List<Op> ops = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      int kind = random.nextInt(10);
      if (kind < 6) {
        ops.add(
            new Start(
                random.nextInt(12),
                edgeBiased(random, 2_500 / scale),
                edgeBiased(random, 6_000 / scale),
                edgeBiased(random, 2),
                random.nextBoolean(),
                random.nextInt(4) - 1));
      } else if (kind < 9) {
        ops.add(new Stop(random.nextInt(12)));
      } else {
        ops.add(new Rebuild());
      }
    }
    return ops;
  }

  /** 0..max, but one draw in four is 0 or max, the values where limits are off by one. */
  private static long edgeBiased(Random random, long max) {
    return switch (random.nextInt(8)) {
      case 0 -> 0;
      case 1 -> max;
      default -> random.nextLong(max + 1);
    };
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void ledgerAgreesWithTheModelAndNeverExceedsALimit(long seed) {
    List<Op> ops = operations(new Random(seed));
    try {
      check(ops);
    } catch (AssertionError e) {
      throw new AssertionError(
          "seed "
              + seed
              + " (rerun with -Dquotient.seed="
              + seed
              + "); operations: "
              + ops
              + "\n"
              + e.getMessage(),
          e);
    }
  }

  private static void check(List<Op> ops) {
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
