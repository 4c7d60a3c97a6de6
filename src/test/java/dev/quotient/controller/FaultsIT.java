package dev.quotient.controller;

import static dev.quotient.testing.TestResources.license;
import static dev.quotient.testing.TestResources.project;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.admission.PodLeases;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * What the operator does when what it sees is not what is (Sieve's bug classes):
 * RELIABILITY.md 7 (stale reads), 5 (killed between two writes) and 6 (unobserved states).
 */
class FaultsIT {
  /** The operator's informer on project pods watches all namespaces. */
  static final Predicate<String> POD_WATCH = r -> r.startsWith("GET /api/v1/pods?") && r.contains("watch=true");

  static MockCluster clusterWithRunningLimit(int limit) {
    Map<String, String> settings = new HashMap<>(EmbeddedRun.SETTINGS);
    settings.put("clusterQuota.runningProjects", String.valueOf(limit));
    return MockCluster.start(settings);
  }

  /**
   * Samples, until closed, what a user could see at any moment: never more live project pods
   * than the running limit, and never a live pod without its lease in the ledger.
   */
  static final class Watchdog implements AutoCloseable {
    final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    Watchdog(MockCluster cluster, int limit) {
      thread = new Thread(() -> {
        while (!stop.get()) {
          try {
            List<Pod> live = cluster.client().pods().inAnyNamespace().list().getItems().stream()
                .filter(p -> PodLeases.lease(p).isPresent()).toList();
            if (live.size() > limit) {
              violations.add(live.size() + " live project pods, limit " + limit);
            }
            Thread.sleep(50);
          } catch (InterruptedException e) {
            return;
          } catch (RuntimeException e) {
            // the server is going away
          }
        }
      }, "watchdog");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(2000);
    }
  }

  // ---- 7: stale reads ---------------------------------------------------------------------------

  @Test
  void aReconcileOnACacheOlderThanItsOwnPodCreateMakesNoSecondPodAndNoSecondAdmission() throws Exception {
    try (MockCluster cluster = clusterWithRunningLimit(1); Watchdog watchdog = new Watchdog(cluster, 1)) {
      String ns = cluster.namespace("stale");
      // The operator's pod cache lags the server by 3 s from now on.
      cluster.run().api().lagWatches(POD_WATCH, Duration.ofSeconds(3));
      cluster.create(project(ns, "a"));
      cluster.awaitProject(ns, "a", p -> p.getStatus() != null && p.getStatus().getPodName() != null);
      // While the cache has not seen pod project-a, the user touches the project: a second
      // reconcile that reads no pod in its cache.
      poke(cluster, ns, "a", "1");
      cluster.create(project(ns, "b"));
      poke(cluster, ns, "a", "2");

      cluster.awaitPhase(ns, "a", ProjectPhase.Running);
      Project b = cluster.awaitPhase(ns, "b", ProjectPhase.WaitingForResources);
      assertThat(b.getStatus().getMessage()).contains("running projects: 1 of 1");
      cluster.run().api().lagWatches(null, null);
      // Settled: still one pod, one lease, one PodCreated, and b still waits.
      await().pollDelay(Duration.ofSeconds(4)).atMost(MockCluster.TIMEOUT).untilAsserted(() -> {
        assertThat(cluster.client().pods().inNamespace(ns).list().getItems()).extracting(p -> p.getMetadata().getName())
            .containsExactly("project-a");
        assertThat(cluster.run().operator().ledger().snapshot()).extracting(l -> l.podName()).containsExactly("project-a");
        assertThat(cluster.project(ns, "b").getStatus().getPhase()).isEqualTo(ProjectPhase.WaitingForResources);
        assertThat(cluster.project(ns, "a").getStatus().getPhase()).isEqualTo(ProjectPhase.Running);
      });
      assertThat(cluster.events(ns, "a")).extracting(e -> e.getReason() + ": " + e.getMessage())
          .filteredOn(r -> r.startsWith("PodCreated") || r.startsWith("PodDeleted") || r.startsWith("QuotaRejected"))
          .hasSize(1).allMatch(r -> r.startsWith("PodCreated"));
      assertThat(watchdog.violations).isEmpty();
      // And the queue is not wedged: when a stops, b starts.
      cluster.editProject(ns, "a", p -> { p.getSpec().setDesiredState(dev.quotient.api.DesiredState.Stopped); return p; });
      cluster.awaitPhase(ns, "b", ProjectPhase.Running);
    }
  }

  static void poke(MockCluster cluster, String ns, String name, String value) {
    cluster.editProject(ns, name, p -> {
      Map<String, String> a = p.getMetadata().getAnnotations() == null ? new HashMap<>() : new HashMap<>(p.getMetadata().getAnnotations());
      a.put("example.com/poke", value);
      p.getMetadata().setAnnotations(a);
      return p;
    });
  }
}
