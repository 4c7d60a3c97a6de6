package dev.quotient.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.quota.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LeaseLedgerTest {
  static final ProjectKey A = new ProjectKey("physics", "a");
  static final ProjectKey B = new ProjectKey("physics", "b");
  static final ProjectKey C = new ProjectKey("chem", "c");

  static Lease lease(
      ProjectKey key, String pod, long cpu, long mem, long gpu, String group, String... licenses) {
    return new Lease(
        key,
        pod,
        new Resources(cpu, mem, gpu),
        new Resources(cpu, mem, gpu),
        List.of(licenses),
        group);
  }

  static Lease lease(ProjectKey key, long cpu, String... licenses) {
    return lease(key, "project-" + key.name(), cpu, cpu << 20, 0, null, licenses);
  }

  @Test
  void reserveAndReleaseKeepTotals() {
    LeaseLedger ledger = new LeaseLedger();
    ledger.reserve(lease(A, "pa", 100, 1000, 1, "dgx", "course"));
    ledger.reserve(lease(B, "pb", 200, 2000, 0, null, "course", "gpu"));
    assertThat(ledger.total()).isEqualTo(new Resources(300, 3000, 1));
    assertThat(ledger.size()).isEqualTo(2);
    assertThat(ledger.licenseUse("course", null)).isEqualTo(2);
    assertThat(ledger.licenseUse("gpu", null)).isEqualTo(1);
    assertThat(ledger.licenseUse("none", null)).isZero();
    assertThat(ledger.lease(A)).map(Lease::podName).contains("pa");

    assertThat(ledger.release(A)).map(Lease::podName).contains("pa");
    assertThat(ledger.total()).isEqualTo(new Resources(200, 2000, 0));
    assertThat(ledger.licenseUse("course", null)).isEqualTo(1);
    assertThat(ledger.lease(A)).isEmpty();
    assertThat(ledger.release(A)).as("releasing twice is harmless").isEmpty();
    assertThat(ledger.total()).isEqualTo(new Resources(200, 2000, 0));

    ledger.release(B);
    assertThat(ledger.total()).isEqualTo(Resources.ZERO);
    assertThat(ledger.size()).isZero();
    assertThat(ledger.licenseUse("course", null)).isZero();
    assertThat(ledger.holdersOf("course")).isEmpty();
  }

  @Test
  void reservingAgainReplacesTheProjectsLease() {
    LeaseLedger ledger = new LeaseLedger();
    ledger.reserve(lease(A, "p1", 100, 100, 0, "dgx", "course"));
    ledger.reserve(lease(A, "p2", 300, 300, 0, "hpc", "gpu"));
    assertThat(ledger.size()).isEqualTo(1);
    assertThat(ledger.total()).isEqualTo(new Resources(300, 300, 0));
    assertThat(ledger.licenseUse("course", null)).isZero();
    assertThat(ledger.licenseUse("gpu", null)).isEqualTo(1);
    assertThat(ledger.projectsOnNodeGroup("dgx")).isZero();
    assertThat(ledger.projectsOnNodeGroup("hpc")).isEqualTo(1);
  }

  @ParameterizedTest(name = "use of {0} except {1} = {2}")
  @CsvSource(
      nullValues = "null",
      value = {
        "course, null,     3",
        "course, a,        2",
        "course, c,        2",
        "course, other,    3",
        "gpu,    a,        1",
        "gpu,    b,        0",
        "nope,   a,        0",
      })
  void licenseUseExcludesTheAskingProject(String license, String except, int expected) {
    LeaseLedger ledger = new LeaseLedger();
    ledger.reserve(lease(A, 1, "course"));
    ledger.reserve(lease(B, 1, "course", "gpu"));
    ledger.reserve(lease(C, 1, "course"));
    ProjectKey key =
        except == null ? null : except.equals("c") ? C : new ProjectKey("physics", except);
    assertThat(ledger.licenseUse(license, key)).isEqualTo(expected);
  }

  @Test
  void holdersAndNodeGroups() {
    LeaseLedger ledger = new LeaseLedger();
    ledger.reserve(lease(B, "pb", 200, 2000, 1, "dgx", "course"));
    ledger.reserve(lease(A, "pa", 100, 1000, 1, "dgx", "course"));
    ledger.reserve(lease(C, "pc", 400, 4000, 0, "hpc"));
    assertThat(ledger.holdersOf("course")).containsExactly(A, B);
    assertThat(ledger.totalOnNodeGroup("dgx")).isEqualTo(new Resources(300, 3000, 2));
    assertThat(ledger.projectsOnNodeGroup("dgx")).isEqualTo(2);
    assertThat(ledger.totalOnNodeGroup("hpc")).isEqualTo(new Resources(400, 4000, 0));
    assertThat(ledger.totalOnNodeGroup("none")).isEqualTo(Resources.ZERO);
    assertThat(ledger.snapshot().leases()).hasSize(3);
  }

  @Test
  void releaseIfPodOnlyForTheMatchingPod() {
    LeaseLedger ledger = new LeaseLedger();
    ledger.reserve(lease(A, "project-a-new", 100, 100, 0, null, "course"));
    assertThat(ledger.releaseIfPod(A, "project-a-old")).isEmpty();
    assertThat(ledger.lease(A)).isPresent();
    assertThat(ledger.licenseUse("course", null)).isEqualTo(1);
    assertThat(ledger.releaseIfPod(B, "project-a-new")).isEmpty();
    assertThat(ledger.releaseIfPod(A, "project-a-new"))
        .map(Lease::podName)
        .contains("project-a-new");
    assertThat(ledger.lease(A)).isEmpty();
    assertThat(ledger.total()).isEqualTo(Resources.ZERO);
  }

  @Test
  void observeIsIdempotent() {
    LeaseLedger ledger = new LeaseLedger();
    List<Lease> changes = new ArrayList<>();
    ledger.onChange(changes::add);
    Lease l = lease(A, "pa", 100, 1000, 0, "dgx", "course");
    ledger.observe(l);
    ledger.observe(l);
    ledger.observe(lease(A, "pa", 100, 1000, 0, "dgx", "course"));
    assertThat(ledger.total()).isEqualTo(new Resources(100, 1000, 0));
    assertThat(ledger.licenseUse("course", null)).isEqualTo(1);
    assertThat(changes).containsExactly(l);

    Lease bigger = lease(A, "pa", 200, 2000, 0, "dgx", "course");
    ledger.observe(bigger);
    assertThat(ledger.total()).isEqualTo(new Resources(200, 2000, 0));
    assertThat(ledger.licenseUse("course", null)).isEqualTo(1);
    assertThat(changes).containsExactly(l, l, bigger);
  }

  @Test
  void listenersHearReservesAndReleases() {
    LeaseLedger ledger = new LeaseLedger();
    List<String> heard = new ArrayList<>();
    ledger.onChange(l -> heard.add(l.podName()));
    ledger.reserve(lease(A, "pa", 1, 1, 0, null));
    ledger.release(A);
    ledger.release(A);
    assertThat(heard).containsExactly("pa", "pa");
  }

  @Test
  void rebuildEqualsIncremental() {
    Random random = new Random(42);
    LeaseLedger incremental = new LeaseLedger();
    LeaseLedger stale = new LeaseLedger();
    stale.reserve(lease(new ProjectKey("old", "gone"), "x", 999, 999, 9, "dgx", "course"));
    String[] groups = {null, "dgx", "hpc"};
    String[] licenses = {"course", "gpu", "lab"};
    for (int i = 0; i < 500; i++) {
      ProjectKey key = new ProjectKey("ns" + random.nextInt(3), "p" + random.nextInt(20));
      if (random.nextInt(3) == 0) {
        incremental.release(key);
      } else {
        incremental.reserve(
            lease(
                key,
                "pod-" + i,
                random.nextInt(4000),
                random.nextInt(1 << 30),
                random.nextInt(2),
                groups[random.nextInt(3)],
                licenses[random.nextInt(3)]));
      }
    }
    stale.rebuild(incremental.snapshot().leases());
    assertThat(stale.total()).isEqualTo(incremental.total());
    assertThat(stale.size()).isEqualTo(incremental.size());
    assertThat(stale.snapshot().leases())
        .containsExactlyInAnyOrderElementsOf(incremental.snapshot().leases());
    for (String license : licenses) {
      assertThat(stale.licenseUse(license, null))
          .as(license)
          .isEqualTo(incremental.licenseUse(license, null));
      assertThat(stale.holdersOf(license)).isEqualTo(incremental.holdersOf(license));
    }
    for (String g : List.of("dgx", "hpc")) {
      assertThat(stale.totalOnNodeGroup(g)).isEqualTo(incremental.totalOnNodeGroup(g));
      assertThat(stale.projectsOnNodeGroup(g)).isEqualTo(incremental.projectsOnNodeGroup(g));
    }
    assertThat(stale.lease(new ProjectKey("old", "gone"))).isEmpty();
    Resources sum =
        incremental.snapshot().leases().stream()
            .map(Lease::requests)
            .reduce(Resources.ZERO, Resources::plus);
    assertThat(incremental.total()).isEqualTo(sum);
  }

  @Test
  void rebuildWithNothingEmptiesTheLedger() {
    LeaseLedger ledger = new LeaseLedger();
    ledger.reserve(lease(A, 100, "course"));
    ledger.rebuild(List.of());
    assertThat(ledger.size()).isZero();
    assertThat(ledger.total()).isEqualTo(Resources.ZERO);
    assertThat(ledger.licenseUse("course", null)).isZero();
  }

  /**
   * Many projects race through the one admit call for a license with run limit 5 and a cluster cap
   * of 10 CPUs: the quota of each is built from the run slots the ledger holds at that moment.
   */
  @RepeatedTest(5)
  void concurrentDecisionsNeverExceedTheLimits() throws Exception {
    int runLimit = 5;
    long cpuCap = 10_000;
    int threads = 32;
    LeaseLedger ledger = new LeaseLedger();
    AdmissionLimits limits =
        new AdmissionLimits(
            new Resources(cpuCap, Long.MAX_VALUE / 2, 0),
            Long.MAX_VALUE,
            java.util.Map.of(),
            java.util.Map.of());
    AtomicInteger maxSeen = new AtomicInteger();
    ledger.onChange(l -> maxSeen.accumulateAndGet(ledger.licenseUse("course", null), Math::max));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        ProjectKey key = new ProjectKey("ns", "p" + i);
        boolean licensed = i % 2 == 0;
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  AdmissionDecision d =
                      ledger.admit(
                          key,
                          slots -> {
                            Thread.yield();
                            boolean seat = licensed && slots.heldByOthers("course") < runLimit;
                            Resources want = new Resources(1_000, 1 << 20, 0);
                            return new AdmissionRequest(
                                key,
                                "project-" + key.name(),
                                want,
                                want,
                                seat ? List.of("course") : List.of(),
                                List.of(),
                                null);
                          },
                          limits,
                          java.time.Instant.EPOCH,
                          java.time.Duration.ofMinutes(5));
                  return d instanceof AdmissionDecision.Admitted;
                }));
      }
      go.countDown();
      int admitted = 0;
      for (Future<Boolean> f : results) {
        admitted += f.get(20, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(admitted).isEqualTo(10);
      assertThat(ledger.size()).isEqualTo(10);
      assertThat(ledger.total().cpuMillis()).isEqualTo(cpuCap);
      assertThat(ledger.licenseUse("course", null)).isLessThanOrEqualTo(runLimit);
      assertThat(maxSeen.get()).isLessThanOrEqualTo(runLimit);
      assertThat(ledger.holdersOf("course")).hasSize(ledger.licenseUse("course", null));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentReserveAndReleaseKeepTotalsConsistent() throws Exception {
    LeaseLedger ledger = new LeaseLedger();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try {
      for (int t = 0; t < 16; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < 500; i++) {
                    ProjectKey key = new ProjectKey("ns", "p" + ((thread * 7 + i) % 40));
                    if (i % 3 == 2) {
                      ledger.release(key);
                    } else {
                      ledger.reserve(
                          new Lease(
                              key,
                              "pod",
                              new Resources(10, 10, 0),
                              new Resources(10, 10, 0),
                              List.of("course"),
                              "dgx"));
                    }
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(20, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    int n = ledger.size();
    assertThat(ledger.total()).isEqualTo(new Resources(10L * n, 10L * n, 0));
    assertThat(ledger.licenseUse("course", null)).isEqualTo(n);
    assertThat(ledger.projectsOnNodeGroup("dgx")).isEqualTo(n);
  }
}
