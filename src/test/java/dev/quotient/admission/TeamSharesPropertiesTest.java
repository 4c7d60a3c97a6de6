package dev.quotient.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.pod.ProjectPodFactory;
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
 * Team shares over random sequences of starts (preemptible or not, in three teams and a namespace
 * in none), stops, the removal of preempted pods and rebuilds from the leases: {@value #TRIES}
 * sequences, each from its own seed (printed on failure; rerun one with {@code -Dquotient.seed=N}).
 * After every step: no team holds more than its share within it, the group never holds more than
 * its capacity, only preemptible projects borrow, only borrowed leases are preempted, and a
 * preemption frees at least what its reclaimer needs.
 */
class TeamSharesPropertiesTest {
  private static final long BASE_SEED = 20261201L;
  private static final int TRIES = 300;
  private static final Resources CAPACITY = new Resources(8_000, 32L << 30, 0);
  private static final TeamShares SHARES =
      new TeamShares(
          List.of(
              new TeamShares.Team("a", new Resources(3_000, 8L << 30, 0)),
              new TeamShares.Team("b", new Resources(2_000, 8L << 30, 0)),
              new TeamShares.Team("c", new Resources(1_000, 8L << 30, 0))),
          true,
          Map.of("na", "a", "nb", "b", "nc", "c"),
          List.of());
  private static final AdmissionLimits LIMITS =
      new AdmissionLimits(
              new Resources(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE),
              Long.MAX_VALUE,
              Map.of("g", CAPACITY),
              Map.of())
          .withNodeGroupTeams(Map.of("g", SHARES));
  private static final String[] NAMESPACES = {"na", "nb", "nc", "free"};

  static LongStream seeds() {
    Long one = Long.getLong("quotient.seed");
    return one != null ? LongStream.of(one) : LongStream.range(BASE_SEED, BASE_SEED + TRIES);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void sharesHoldOverRandomSequences(long seed) {
    Random random = new Random(seed);
    LeaseLedger ledger = new LeaseLedger();
    List<ProjectKey> told = new ArrayList<>();
    ledger.onPreempt(told::addAll);
    Map<ProjectKey, AdmissionRequest> asked = new HashMap<>();
    Set<ProjectKey> preempted = new HashSet<>();
    Instant now = Instant.parse("2026-12-01T00:00:00Z");
    List<String> log = new ArrayList<>();
    int steps = random.nextInt(80);
    try {
      for (int i = 0; i < steps; i++) {
        now = now.plusSeconds(1 + random.nextInt(30));
        int op = random.nextInt(10);
        if (op < 6) {
          ProjectKey key =
              new ProjectKey(
                  NAMESPACES[random.nextInt(NAMESPACES.length)], "p" + random.nextInt(10));
          if (ledger.lease(key).isPresent()) {
            continue;
          }
          AdmissionRequest r =
              asked.computeIfAbsent(
                  key,
                  k -> {
                    Resources need = new Resources(500L * (1 + random.nextInt(6)), 1L << 30, 0);
                    return new AdmissionRequest(
                        k,
                        ProjectPodFactory.podName(k.name()),
                        need,
                        need,
                        List.of(),
                        List.of("g"),
                        null,
                        false,
                        random.nextBoolean());
                  });
          told.clear();
          AdmissionDecision d = ledger.admit(key, s -> r, LIMITS, now, Duration.ofMinutes(5));
          log.add(
              "start "
                  + key
                  + " "
                  + r.requests()
                  + (r.preemptible() ? " preemptible" : "")
                  + " -> "
                  + d);
          if (d instanceof AdmissionDecision.Admitted a) {
            assertThat(a.lease().borrowed() && !r.preemptible())
                .as("a non-preemptible project borrowed")
                .isFalse();
          }
          if (!told.isEmpty()) {
            Resources freed = Resources.ZERO;
            for (ProjectKey v : told) {
              Lease l = ledger.lease(v).orElseThrow();
              assertThat(l.borrowed()).as(v + " preempted though within its share").isTrue();
              freed = freed.plus(l.requests());
              preempted.add(v);
            }
            assertThat(freed.cpuMillis() + free(ledger).cpuMillis())
                .as("preempting " + told + " makes room for " + key)
                .isGreaterThanOrEqualTo(r.requests().cpuMillis());
          }
        } else if (op < 8) {
          List<Lease> held = ledger.snapshot().leases();
          if (!held.isEmpty()) {
            Lease l = held.get(random.nextInt(held.size()));
            ledger.release(l.project());
            ledger.forget(l.project());
            log.add("stop " + l.project());
          }
        } else if (op < 9) {
          // The preempted pods go away (the lifecycle deleted them).
          for (ProjectKey v : List.copyOf(preempted)) {
            ledger.release(v);
            log.add("preempted pod gone " + v);
          }
          preempted.clear();
        } else {
          ledger.rebuild(List.copyOf(ledger.snapshot().leases()));
          preempted.clear();
          log.add("rebuild");
        }
        check(ledger);
      }
    } catch (AssertionError e) {
      throw new AssertionError("seed " + seed + " after:\n  " + String.join("\n  ", log), e);
    }
  }

  private static Resources free(LeaseLedger ledger) {
    return CAPACITY.minusFloorZero(ledger.totalOnNodeGroup("g"));
  }

  private static void check(LeaseLedger ledger) {
    Map<String, Resources> within = new HashMap<>();
    Resources total = Resources.ZERO;
    for (Lease l : ledger.snapshot().leases()) {
      total = total.plus(l.requests());
      if (!l.borrowed()) {
        within.merge(String.valueOf(l.teamName()), l.requests(), Resources::plus);
      }
    }
    assertThat(total.fitsIn(CAPACITY)).as("group holds " + total).isTrue();
    for (String team : new String[] {"a", "b", "c", null}) {
      Resources used = within.getOrDefault(String.valueOf(team), Resources.ZERO);
      assertThat(used.fitsIn(SHARES.share(team, CAPACITY)))
          .as("team " + team + " holds " + used + " within its share")
          .isTrue();
    }
  }
}
