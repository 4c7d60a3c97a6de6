package dev.quotient.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.quota.Resources;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The wait queue: bottleneck messages, first come first served, bounded backfill, no starvation.
 */
class AdmissionQueueTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration BACKFILL = Duration.ofMinutes(5);
  private static final long GI = 1L << 30;
  private static final AdmissionLimits LIMITS =
      new AdmissionLimits(new Resources(10_000, 8 * GI, 1), 100, Map.of(), Map.of());

  private final LeaseLedger ledger = new LeaseLedger();

  private static AdmissionRequest request(String name, long memGi) {
    Resources r = new Resources(100, memGi * GI, 0);
    return new AdmissionRequest(new ProjectKey("ns", name), r, r, List.of(), null);
  }

  private AdmissionDecision admitAndReserve(AdmissionRequest r, Instant now) {
    AdmissionDecision d = ledger.admit(r, LIMITS, now, BACKFILL);
    if (d instanceof AdmissionDecision.Admitted) {
      ledger.reserve(
          new Lease(r.project(), "project-" + r.project().name(), r.requests(), List.of(), null));
    }
    return d;
  }

  @Test
  void waitingNamesTheBottleneckWithTheNumbers() {
    admitAndReserve(request("a", 6), T0);
    AdmissionDecision d = admitAndReserve(request("b", 4), T0);
    assertThat(d)
        .isEqualTo(
            new AdmissionDecision.Waiting("memory", "memory: needs 4Gi, 2Gi of 8Gi free", 1));
    assertThat(ledger.rejectionsByResource()).containsEntry("memory", 1L);
    // Asking again does not count a second rejection, and keeps the place.
    assertThat(admitAndReserve(request("b", 4), T0.plusSeconds(30)))
        .isInstanceOf(AdmissionDecision.Waiting.class);
    assertThat(ledger.rejectionsByResource()).containsEntry("memory", 1L);
  }

  @Test
  void queueIsFirstComeFirstServedAndPositionsFollow() {
    admitAndReserve(request("a", 7), T0);
    admitAndReserve(request("b", 2), T0.plusSeconds(1));
    admitAndReserve(request("c", 2), T0.plusSeconds(2));
    AdmissionDecision d = ledger.admit(request("d", 2), LIMITS, T0.plusSeconds(3), BACKFILL);
    assertThat(((AdmissionDecision.Waiting) d).queuePosition()).isEqualTo(3);
    assertThat(ledger.queue()).extracting(ProjectKey::name).containsExactly("b", "c", "d");
  }

  @Test
  void smallerProjectsMayBackfillWhileTheHeadIsYoungButNotOnceItHasWaitedLong() {
    admitAndReserve(request("big-running", 5), T0);
    assertThat(admitAndReserve(request("head", 4), T0.plusSeconds(1)))
        .isInstanceOf(AdmissionDecision.Waiting.class);
    // 3Gi are free: a small project behind the head may start while the head is young ...
    assertThat(admitAndReserve(request("small-1", 1), T0.plusSeconds(2)))
        .isInstanceOf(AdmissionDecision.Admitted.class);
    // ... but once the head has waited longer than the backfill window, nobody passes it.
    AdmissionDecision d = admitAndReserve(request("small-2", 1), T0.plus(BACKFILL).plusSeconds(10));
    assertThat(d).isInstanceOf(AdmissionDecision.Waiting.class);
    assertThat(((AdmissionDecision.Waiting) d).resource()).isEqualTo("queue");
    assertThat(((AdmissionDecision.Waiting) d).message()).contains("ns/head");
    // When the big one stops, the head fits and starts first.
    ledger.release(new ProjectKey("ns", "big-running"));
    assertThat(admitAndReserve(request("head", 4), T0.plus(BACKFILL).plusSeconds(20)))
        .isInstanceOf(AdmissionDecision.Admitted.class);
    assertThat(admitAndReserve(request("small-2", 1), T0.plus(BACKFILL).plusSeconds(21)))
        .isInstanceOf(AdmissionDecision.Admitted.class);
  }

  @Test
  void aProjectThatCouldNeverFitDoesNotHoldOthersBack() {
    assertThat(admitAndReserve(request("impossible", 64), T0))
        .isInstanceOf(AdmissionDecision.Waiting.class);
    assertThat(admitAndReserve(request("normal", 1), T0.plus(BACKFILL).plusSeconds(60)))
        .isInstanceOf(AdmissionDecision.Admitted.class);
  }

  @Test
  void loweredLimitsNeverShowNegativeFreeCapacity() {
    admitAndReserve(request("a", 6), T0);
    AdmissionLimits lowered =
        new AdmissionLimits(new Resources(10_000, 4 * GI, 1), 100, Map.of(), Map.of());
    AdmissionDecision d = ledger.admit(request("b", 1), lowered, T0, BACKFILL);
    assertThat(((AdmissionDecision.Waiting) d).message())
        .isEqualTo("memory: needs 1Gi, 0 of 4Gi free");
  }

  /**
   * Hundreds of starts and stops at once through admit + reserve, as the reconcilers do it; a
   * watcher samples the ledger the whole time: the limits hold at every moment, not only at the
   * end.
   */
  @org.junit.jupiter.api.RepeatedTest(20)
  void admittedTotalsNeverExceedTheLimitsWhileManyStartAndStop() throws Exception {
    AdmissionLimits limits =
        new AdmissionLimits(new Resources(5_000, 8 * GI, 2), 12, Map.of(), Map.of());
    java.util.concurrent.atomic.AtomicBoolean running =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.List<String> violations =
        java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    Thread watcher =
        new Thread(
            () -> {
              while (running.get()) {
                Resources total = ledger.total();
                int size = ledger.size();
                if (!total.fitsIn(limits.cluster()) || size > 12) {
                  violations.add(total + " with " + size + " projects");
                }
              }
            });
    watcher.start();
    var pool = java.util.concurrent.Executors.newFixedThreadPool(16);
    var go = new java.util.concurrent.CountDownLatch(1);
    var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
    for (int i = 0; i < 300; i++) {
      int n = i;
      futures.add(
          pool.submit(
              () -> {
                go.await();
                ProjectKey key = new ProjectKey("ns", "p" + (n % 60));
                Resources r =
                    new Resources(250 + (n % 4) * 100, (n % 3 + 1) * (GI / 2), n % 7 == 0 ? 1 : 0);
                ledger.decide(
                    l -> {
                      if (l.lease(key).isPresent()) {
                        l.release(key);
                        return null;
                      }
                      AdmissionDecision d =
                          l.admit(
                              new AdmissionRequest(key, r, r, List.of(), "nvidia.com/gpu"),
                              limits,
                              T0.plusMillis(n),
                              BACKFILL);
                      if (d instanceof AdmissionDecision.Admitted) {
                        l.reserve(new Lease(key, "project-" + key.name(), r, List.of(), null));
                      }
                      return null;
                    });
                return null;
              }));
    }
    go.countDown();
    for (var f : futures) {
      f.get(20, java.util.concurrent.TimeUnit.SECONDS);
    }
    pool.shutdown();
    running.set(false);
    watcher.join();
    assertThat(violations).isEmpty();
    assertThat(ledger.total().fitsIn(limits.cluster())).isTrue();
  }

  @Test
  void forgottenProjectsLeaveTheQueue() {
    admitAndReserve(request("a", 8), T0);
    admitAndReserve(request("b", 1), T0);
    ledger.forget(new ProjectKey("ns", "b"));
    assertThat(ledger.queue()).isEmpty();
  }
}
