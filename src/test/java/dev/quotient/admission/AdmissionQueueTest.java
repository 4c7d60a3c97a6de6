package dev.quotient.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.quota.Resources;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The wait queues: bottleneck messages, first come first served per scope, bounded backfill, no
 * starvation, never-fits, and no blocking across scopes.
 */
class AdmissionQueueTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration BACKFILL = Duration.ofMinutes(5);
  private static final long GI = 1L << 30;
  private static final AdmissionLimits LIMITS =
      new AdmissionLimits(new Resources(10_000, 8 * GI, 1), 100, Map.of(), Map.of());

  private final LeaseLedger ledger = new LeaseLedger();

  static AdmissionRequest request(String ns, String name, long memGi) {
    Resources r = new Resources(100, memGi * GI, 0);
    return new AdmissionRequest(
        new ProjectKey(ns, name), "project-" + name, r, r, List.of(), List.of(), null);
  }

  private AdmissionDecision admit(AdmissionRequest r, AdmissionLimits limits, Instant now) {
    return ledger.admit(r.project(), slots -> r, limits, now, BACKFILL);
  }

  private AdmissionDecision admit(String name, long memGi, Instant now) {
    return admit(request("ns", name, memGi), LIMITS, now);
  }

  private static AdmissionDecision.Waiting waiting(AdmissionDecision d) {
    assertThat(d).isInstanceOf(AdmissionDecision.Waiting.class);
    return (AdmissionDecision.Waiting) d;
  }

  @Test
  void admittedReservesTheLeaseInTheSameCall() {
    AdmissionDecision d = admit("a", 6, T0);
    assertThat(d).isInstanceOf(AdmissionDecision.Admitted.class);
    Lease lease = ((AdmissionDecision.Admitted) d).lease();
    assertThat(lease.podName()).isEqualTo("project-a");
    assertThat(ledger.lease(new ProjectKey("ns", "a"))).contains(lease);
    assertThat(ledger.total().memoryBytes()).isEqualTo(6 * GI);
  }

  @Test
  void waitingNamesTheBottleneckWithTheNumbers() {
    admit("a", 6, T0);
    AdmissionDecision.Waiting w = waiting(admit("b", 4, T0));
    assertThat(w.bottleneck())
        .isEqualTo(
            new Bottleneck(
                BottleneckResource.Memory, Scope.CLUSTER, "memory: needs 4Gi, 2Gi of 8Gi free"));
    assertThat(w.position()).isEqualTo(1);
    assertThat(w.neverFits()).isFalse();
    assertThat(w.since()).isEqualTo(T0);
    assertThat(ledger.rejectionsByResource()).containsEntry("memory", 1L);
    // Asking again does not count a second rejection, and keeps the place.
    assertThat(waiting(admit("b", 4, T0.plusSeconds(30))).since()).isEqualTo(T0);
    assertThat(ledger.rejectionsByResource()).containsEntry("memory", 1L);
  }

  @Test
  void queueIsFirstComeFirstServedAndPositionsFollow() {
    admit("a", 7, T0);
    admit("b", 2, T0.plusSeconds(1));
    admit("c", 2, T0.plusSeconds(2));
    assertThat(waiting(admit("d", 2, T0.plusSeconds(3))).position()).isEqualTo(3);
    assertThat(ledger.queue()).extracting(ProjectKey::name).containsExactly("b", "c", "d");
  }

  @Test
  void whenCapacityFreesTheOldestThatFitsGoesFirst() {
    admit("a", 7, T0);
    admit("b", 2, T0.plusSeconds(1));
    admit("c", 2, T0.plusSeconds(2));
    ledger.release(new ProjectKey("ns", "a"));
    // c is reconciled first, but b waited longer and fits now: c waits behind it.
    AdmissionDecision.Waiting w = waiting(admit("c", 2, T0.plusSeconds(3)));
    assertThat(w.bottleneck().resource()).isEqualTo(BottleneckResource.Queue);
    assertThat(w.bottleneck().message())
        .isEqualTo("queued behind ns/b in the cluster quota, which fits now and starts first");
    assertThat(admit("b", 2, T0.plusSeconds(4))).isInstanceOf(AdmissionDecision.Admitted.class);
    assertThat(admit("c", 2, T0.plusSeconds(5))).isInstanceOf(AdmissionDecision.Admitted.class);
  }

  @Test
  void smallerProjectsMayBackfillWhileTheHeadIsYoungButNotOnceItHasWaitedLong() {
    admit("big-running", 5, T0);
    waiting(admit("head", 4, T0.plusSeconds(1)));
    // 3Gi are free: a small project behind the head may start while the head is young ...
    assertThat(admit("small-1", 1, T0.plusSeconds(2)))
        .isInstanceOf(AdmissionDecision.Admitted.class);
    // ... but once the head has waited longer than the backfill window, nobody passes it.
    AdmissionDecision.Waiting w = waiting(admit("small-2", 1, T0.plus(BACKFILL).plusSeconds(10)));
    assertThat(w.bottleneck().resource()).isEqualTo(BottleneckResource.Queue);
    assertThat(w.bottleneck().message())
        .isEqualTo(
            "queued behind ns/head in the cluster quota, which has waited longer than 5m and"
                + " starts first");
    // When the big one stops, the head fits and starts first.
    ledger.release(new ProjectKey("ns", "big-running"));
    assertThat(admit("head", 4, T0.plus(BACKFILL).plusSeconds(20)))
        .isInstanceOf(AdmissionDecision.Admitted.class);
    assertThat(admit("small-2", 1, T0.plus(BACKFILL).plusSeconds(21)))
        .isInstanceOf(AdmissionDecision.Admitted.class);
  }

  @Test
  void aLargeProjectIsNotStarvedBySmallOnesChurning() {
    admit("filler", 6, T0);
    waiting(admit("large", 4, T0));
    Instant t = T0.plusSeconds(1);
    // Small projects come and go while the large one is young ...
    for (int i = 0; i < 5; i++, t = t.plusSeconds(30)) {
      assertThat(admit("small-" + i, 1, t)).isInstanceOf(AdmissionDecision.Admitted.class);
      ledger.release(new ProjectKey("ns", "small-" + i));
    }
    // ... once it has waited past the backfill window, new small ones wait, and when the filler
    // stops the large one gets the room.
    t = T0.plus(BACKFILL).plusSeconds(1);
    waiting(admit("small-late", 1, t));
    ledger.release(new ProjectKey("ns", "filler"));
    assertThat(admit("large", 4, t.plusSeconds(1))).isInstanceOf(AdmissionDecision.Admitted.class);
  }

  @Test
  void aProjectThatCouldNeverFitSaysSoAndDoesNotHoldOthersBack() {
    AdmissionDecision.Waiting w = waiting(admit("impossible", 64, T0));
    assertThat(w.neverFits()).isTrue();
    assertThat(w.position()).isZero();
    assertThat(w.bottleneck().message())
        .isEqualTo(
            "never fits the cluster quota, even with nothing else running (memory: needs 64Gi, 8Gi"
                + " of 8Gi free); it is retried when the cluster quota changes");
    assertThat(admit("normal", 1, T0.plus(BACKFILL).plusSeconds(60)))
        .isInstanceOf(AdmissionDecision.Admitted.class);
  }

  @Test
  void aFullNamespaceQuotaHoldsBackOnlyItsOwnNamespace() {
    NamespaceQuota course =
        new NamespaceQuota("course", "compute", Map.of("count/pods", 1L), Map.of());
    AdmissionLimits limits =
        new AdmissionLimits(
            new Resources(10_000, 8 * GI, 1), 100, Map.of(), Map.of("course", List.of(course)));
    assertThat(admit(request("course", "student-0", 1), limits, T0))
        .isInstanceOf(AdmissionDecision.Admitted.class);
    AdmissionDecision.Waiting w = waiting(admit(request("course", "student-1", 1), limits, T0));
    assertThat(w.bottleneck().scope()).isEqualTo(new Scope.Namespace("course"));
    assertThat(w.bottleneck().message())
        .isEqualTo("namespace quota course/compute: count/pods needs 1, 0 of 1 free");
    Instant later = T0.plus(BACKFILL).plusSeconds(60);
    // Long past the backfill window, another namespace starts at once ...
    assertThat(admit(request("lab", "other", 1), limits, later))
        .isInstanceOf(AdmissionDecision.Admitted.class);
    // ... while a newer student of the same namespace queues behind student-1.
    AdmissionDecision.Waiting behind =
        waiting(admit(request("course", "student-2", 1), limits, later));
    assertThat(behind.position()).isEqualTo(2);
  }

  @Test
  void aNamespaceQuotaThatCanNeverHoldTheProjectSaysSo() {
    NamespaceQuota small =
        new NamespaceQuota("lab", "mem", Map.of("requests.memory", GI), Map.of());
    AdmissionLimits limits =
        new AdmissionLimits(
            new Resources(10_000, 8 * GI, 1), 100, Map.of(), Map.of("lab", List.of(small)));
    AdmissionDecision.Waiting w = waiting(admit(request("lab", "big", 2), limits, T0));
    assertThat(w.neverFits()).isTrue();
    assertThat(w.bottleneck().message())
        .startsWith("never fits the namespace quota of lab, even with nothing else running");
  }

  @Test
  void limitsQuotasCountTheLedgersLimitsToo() {
    NamespaceQuota limitsCpu =
        new NamespaceQuota("lab", "cpu", Map.of("limits.cpu", 3000L), Map.of());
    AdmissionLimits limits =
        new AdmissionLimits(
            new Resources(100_000, 80 * GI, 1), 100, Map.of(), Map.of("lab", List.of(limitsCpu)));
    Resources req = new Resources(200, GI, 0);
    Resources lim = new Resources(2000, GI, 0);
    AdmissionRequest a =
        new AdmissionRequest(
            new ProjectKey("lab", "a"), "project-a", req, lim, List.of(), List.of(), null);
    AdmissionRequest b =
        new AdmissionRequest(
            new ProjectKey("lab", "b"), "project-b", req, lim, List.of(), List.of(), null);
    assertThat(admit(a, limits, T0)).isInstanceOf(AdmissionDecision.Admitted.class);
    // The quota's status.used has not caught up (it says nothing); the ledger knows a's limits.
    assertThat(waiting(admit(b, limits, T0)).bottleneck().message())
        .isEqualTo("namespace quota lab/cpu: limits.cpu needs 2, 1 of 3 free");
  }

  @Test
  void aFullNodeGroupHoldsBackOnlyProjectsForThatGroup() {
    AdmissionLimits limits =
        new AdmissionLimits(
            new Resources(100_000, 80 * GI, 8),
            100,
            Map.of("gpu", new Resources(8000, 4 * GI, 0), "cpu", new Resources(8000, 32 * GI, 0)),
            Map.of());
    Resources r = new Resources(100, 3 * GI, 0);
    AdmissionRequest first =
        new AdmissionRequest(
            new ProjectKey("a", "g1"), "project-g1", r, r, List.of(), List.of("gpu"), null);
    AdmissionRequest second =
        new AdmissionRequest(
            new ProjectKey("a", "g2"), "project-g2", r, r, List.of(), List.of("gpu"), null);
    AdmissionRequest other =
        new AdmissionRequest(
            new ProjectKey("b", "c1"), "project-c1", r, r, List.of(), List.of("cpu"), null);
    assertThat(admit(first, limits, T0)).isInstanceOf(AdmissionDecision.Admitted.class);
    AdmissionDecision.Waiting w = waiting(admit(second, limits, T0));
    assertThat(w.bottleneck().scope()).isEqualTo(new Scope.NodeGroup("gpu"));
    Lease placed =
        ((AdmissionDecision.Admitted) admit(other, limits, T0.plus(BACKFILL).plusSeconds(1)))
            .lease();
    assertThat(placed.nodeGroup()).isEqualTo("cpu");
  }

  @Test
  void theNextGroupInTheListIsTriedWhenTheFirstIsFull() {
    AdmissionLimits limits =
        new AdmissionLimits(
            new Resources(100_000, 80 * GI, 8),
            100,
            Map.of("tiny", new Resources(1000, GI, 0), "big", new Resources(8000, 32 * GI, 0)),
            Map.of());
    Resources r = new Resources(100, 2 * GI, 0);
    AdmissionRequest p =
        new AdmissionRequest(
            new ProjectKey("a", "p"), "project-p", r, r, List.of(), List.of("tiny", "big"), null);
    Lease lease = ((AdmissionDecision.Admitted) admit(p, limits, T0)).lease();
    assertThat(lease.nodeGroup()).isEqualTo("big");
  }

  @Test
  void aGroupWhoseNodesAreEachTooSmallIsPassedOverThoughItsSumWouldDo() {
    Resources node = new Resources(4000, 16 * GI, 0);
    AdmissionLimits limits =
        new AdmissionLimits(
            new Resources(100_000, 80 * GI, 8),
            100,
            Map.of(
                "split", new Resources(8000, 32 * GI, 0), "big", new Resources(8000, 32 * GI, 0)),
            Map.of(),
            List.of(),
            Map.of("split", List.of(node, node), "big", List.of(new Resources(8000, 32 * GI, 0))));
    Resources r = new Resources(6000, 2 * GI, 0);
    AdmissionRequest p =
        new AdmissionRequest(
            new ProjectKey("a", "p"), "project-p", r, r, List.of(), List.of("split", "big"), null);
    assertThat(((AdmissionDecision.Admitted) admit(p, limits, T0)).lease().nodeGroup())
        .isEqualTo("big");
    AdmissionRequest only =
        new AdmissionRequest(
            new ProjectKey("a", "q"), "project-q", r, r, List.of(), List.of("split"), null);
    AdmissionDecision.Waiting w = waiting(admit(only, limits, T0));
    assertThat(w.neverFits()).isTrue();
    assertThat(w.bottleneck().message())
        .contains("node group split: no node can hold cpu 6, memory 2Gi, gpu 0")
        .contains("its nodes have at most cpu 4, memory 16Gi, gpu 0 each");
  }

  @Test
  void theQueueOrderOfAnEarlierRunIsRestoredBeforeTheFirstAdmission() {
    admit("filler", 7, T0);
    LeaseLedger restarted = new LeaseLedger();
    restarted.reserve(ledger.lease(new ProjectKey("ns", "filler")).orElseThrow());
    restarted.restoreQueueFrom(
        () ->
            List.of(
                new LeaseLedger.RestoredWait(
                    new ProjectKey("ns", "old"), T0.minusSeconds(600), request("ns", "old", 2))));
    ledger.release(new ProjectKey("ns", "filler"));
    restarted.release(new ProjectKey("ns", "filler"));
    // A newer project reconciled first still waits behind the one that waited before the restart.
    AdmissionDecision.Waiting w =
        waiting(
            restarted.admit(
                new ProjectKey("ns", "new"), s -> request("ns", "new", 2), LIMITS, T0, BACKFILL));
    assertThat(w.bottleneck().message()).contains("queued behind ns/old");
    assertThat(restarted.queue()).extracting(ProjectKey::name).containsExactly("old", "new");
    assertThat(restarted.waiting(new ProjectKey("ns", "old")).orElseThrow().since())
        .isEqualTo(T0.minusSeconds(600));
  }

  @Test
  void loweredLimitsNeverShowNegativeFreeCapacity() {
    admit("a", 6, T0);
    AdmissionLimits lowered =
        new AdmissionLimits(new Resources(10_000, 4 * GI, 1), 100, Map.of(), Map.of());
    assertThat(waiting(admit(request("ns", "b", 1), lowered, T0)).bottleneck().message())
        .isEqualTo("memory: needs 1Gi, 0 of 4Gi free");
  }

  @Test
  void licenseRunSlotsHeldByOthersAreWhatTheRequestIsBuiltFrom() {
    Resources r = new Resources(100, GI, 0);
    ledger.reserve(
        new Lease(new ProjectKey("ns", "holder"), "project-holder", r, r, List.of("seat"), null));
    int[] seen = new int[1];
    ledger.admit(
        new ProjectKey("ns", "asker"),
        slots -> {
          seen[0] = slots.heldByOthers("seat");
          return request("ns", "asker", 1);
        },
        LIMITS,
        T0,
        BACKFILL);
    assertThat(seen[0]).isEqualTo(1);
  }

  /**
   * Hundreds of starts and stops at once through the one admit call the reconcilers use; a watcher
   * samples the ledger the whole time: the limits hold at every moment, not only at the end.
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
                LedgerSnapshot s = ledger.snapshot();
                if (!s.total().fitsIn(limits.cluster()) || s.size() > 12) {
                  violations.add(s.total() + " with " + s.size() + " projects");
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
                if (ledger.release(key).isEmpty()) {
                  ledger.admit(
                      key,
                      slots ->
                          new AdmissionRequest(
                              key,
                              "project-" + key.name(),
                              r,
                              r,
                              List.of(),
                              List.of(),
                              "nvidia.com/gpu"),
                      limits,
                      T0.plusMillis(n),
                      BACKFILL);
                }
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
    admit("a", 8, T0);
    admit("b", 1, T0);
    ledger.forget(new ProjectKey("ns", "b"));
    assertThat(ledger.queue()).isEmpty();
  }

  @Test
  void listenersAreToldAfterTheLockIsReleased() throws Exception {
    admit("a", 8, T0);
    admit("b", 1, T0);
    java.util.List<java.util.List<ProjectKey>> woken = new java.util.ArrayList<>();
    ledger.onWake(
        keys -> {
          // Another thread can use the ledger from inside a listener: it is not locked here.
          try {
            java.util.concurrent.CompletableFuture.runAsync(ledger::size)
                .get(2, java.util.concurrent.TimeUnit.SECONDS);
          } catch (Exception e) {
            throw new AssertionError("listener ran with the ledger locked", e);
          }
          woken.add(keys);
        });
    ledger.release(new ProjectKey("ns", "a"));
    assertThat(woken).containsExactly(List.of(new ProjectKey("ns", "b")));
  }
}
