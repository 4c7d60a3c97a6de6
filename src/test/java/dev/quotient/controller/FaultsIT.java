package dev.quotient.controller;

import static dev.quotient.testing.TestResources.license;
import static dev.quotient.testing.TestResources.project;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.admission.PodLeases;
import dev.quotient.api.DesiredState;
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
 * What the operator does when what it sees is not what is (Sieve's bug classes): RELIABILITY.md 7
 * (stale reads), 5 (killed between two writes) and 6 (unobserved states).
 */
class FaultsIT {
  /** The operator's informer on project pods watches all namespaces. */
  static final Predicate<String> POD_WATCH =
      r -> r.startsWith("GET /api/v1/pods?") && r.contains("watch=true");

  static MockCluster clusterWithRunningLimit(int limit) {
    Map<String, String> settings = new HashMap<>(EmbeddedRun.SETTINGS);
    settings.put("clusterQuota.runningProjects", String.valueOf(limit));
    return MockCluster.start(settings);
  }

  /**
   * Samples, until closed, what a user could see at any moment: never more live project pods than
   * the running limit, and never a live pod without its lease in the ledger.
   */
  static final class Watchdog implements AutoCloseable {
    final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    Watchdog(MockCluster cluster, int limit) {
      thread =
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    List<Pod> live =
                        cluster.client().pods().inAnyNamespace().list().getItems().stream()
                            .filter(p -> PodLeases.lease(p).isPresent())
                            .toList();
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
              },
              "watchdog");
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
  void aReconcileOnACacheOlderThanItsOwnPodCreateMakesNoSecondPodAndNoSecondAdmission()
      throws Exception {
    try (MockCluster cluster = clusterWithRunningLimit(1);
        Watchdog watchdog = new Watchdog(cluster, 1)) {
      String ns = cluster.namespace("stale");
      // The operator's pod cache lags the server by 3 s from now on.
      cluster.faults().lagWatches(POD_WATCH, Duration.ofSeconds(3));
      cluster.create(project(ns, "a"));
      cluster.awaitProject(
          ns, "a", p -> p.getStatus() != null && p.getStatus().getPodName() != null);
      // While the cache has not seen pod project-a, the user touches the project: a second
      // reconcile that reads no pod in its cache.
      poke(cluster, ns, "a", "1");
      cluster.create(project(ns, "b"));
      poke(cluster, ns, "a", "2");

      cluster.awaitPhase(ns, "a", ProjectPhase.Running);
      Project b = cluster.awaitPhase(ns, "b", ProjectPhase.WaitingForResources);
      assertThat(b.getStatus().getMessage()).contains("running projects: 1 of 1");
      cluster.faults().lagWatches(null, null);
      // Settled: still one pod, one lease, one PodCreated, and b still waits.
      await()
          .pollDelay(Duration.ofSeconds(4))
          .atMost(MockCluster.TIMEOUT)
          .untilAsserted(
              () -> {
                assertThat(cluster.client().pods().inNamespace(ns).list().getItems())
                    .extracting(p -> p.getMetadata().getName())
                    .containsExactly("project-a");
                assertThat(cluster.run().operator().ledger().snapshot().leases())
                    .extracting(l -> l.podName())
                    .containsExactly("project-a");
                assertThat(cluster.project(ns, "b").getStatus().getPhase())
                    .isEqualTo(ProjectPhase.WaitingForResources);
                assertThat(cluster.project(ns, "a").getStatus().getPhase())
                    .isEqualTo(ProjectPhase.Running);
              });
      assertThat(cluster.events(ns, "a"))
          .extracting(e -> e.getReason() + ": " + e.getMessage())
          .filteredOn(
              r ->
                  r.startsWith("PodCreated")
                      || r.startsWith("PodDeleted")
                      || r.startsWith("QuotaRejected"))
          .hasSize(1)
          .allMatch(r -> r.startsWith("PodCreated"));
      assertThat(watchdog.violations).isEmpty();
      // And the queue is not wedged: when a stops, b starts.
      cluster.editProject(
          ns,
          "a",
          p -> {
            p.getSpec().setDesiredState(dev.quotient.api.DesiredState.Stopped);
            return p;
          });
      cluster.awaitPhase(ns, "b", ProjectPhase.Running);
    }
  }

  // ---- 5: killed between two writes ------------------------------------------------------------

  /**
   * Runs when the matching request has been served (the object is stored) but before the operator
   * gets the answer: cuts the operator off and stops it, as a crash right after that write would.
   * Waits a little for the stop so the operator's next write cannot land.
   */
  static Runnable crash(MockCluster cluster) {
    return () -> {
      Thread kill = new Thread(() -> cluster.run().killOperator(), "crash");
      kill.start();
      try {
        kill.join(3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  @Test
  void operatorKilledRightAfterThePodCreateConvergesWithOnePodAndOneLease() throws Exception {
    try (MockCluster cluster = clusterWithRunningLimit(2);
        Watchdog watchdog = new Watchdog(cluster, 2)) {
      String ns = cluster.namespace("crash-create");
      cluster.create(license("one-seat", 1, q -> q.setMemory("2Gi")));
      AtomicBoolean crashed = new AtomicBoolean();
      Runnable crash = crash(cluster);
      cluster
          .faults()
          .afterServed(
              r -> r.equals("POST /api/v1/namespaces/" + ns + "/pods"),
              () -> {
                crashed.set(true);
                crash.run();
              });
      cluster.create(project(ns, "a", "one-seat"));
      await().atMost(MockCluster.TIMEOUT).untilTrue(crashed);
      // The pod exists; the status write that should have followed never happened.
      await().atMost(MockCluster.TIMEOUT).until(() -> cluster.pod(ns, "a") != null);
      String uid = cluster.pod(ns, "a").getMetadata().getUid();

      QuotientOperator next = cluster.run().startOperator();
      Project a = cluster.awaitPhase(ns, "a", ProjectPhase.Running);
      assertThat(a.getStatus().getEffectiveQuota().getMemoryLimit()).isEqualTo("2Gi");
      assertThat(cluster.pod(ns, "a").getMetadata().getUid()).isEqualTo(uid);
      assertThat(next.ledger().size()).isEqualTo(1);
      assertThat(next.ledger().licenseUse("one-seat", null)).isEqualTo(1);
      // The lease is counted once: a second project still fits the running limit of 2, and the
      // license's single run slot is a's.
      cluster.create(project(ns, "b", "one-seat"));
      Project b = cluster.awaitPhase(ns, "b", ProjectPhase.Running);
      assertThat(b.getStatus().getLicenses().get(0).getState().name()).isEqualTo("RunLimitReached");
      assertThat(cluster.client().pods().inNamespace(ns).list().getItems()).hasSize(2);
      assertThat(next.ledger().size()).isEqualTo(2);
      assertThat(next.ledger().licenseUse("one-seat", null)).isEqualTo(1);
      await()
          .atMost(MockCluster.TIMEOUT)
          .untilAsserted(
              () -> {
                var status = cluster.license("one-seat").getStatus();
                assertThat(status.getRunningProjects().getCount()).isEqualTo(1);
                assertThat(status.getRunningProjects().getNames()).containsExactly(ns + "/a");
              });
      assertThat(watchdog.violations).isEmpty();
    }
  }

  @Test
  void operatorKilledRightAfterThePodDeleteOfAStopConvergesAndFreesTheSlot() throws Exception {
    try (MockCluster cluster = clusterWithRunningLimit(1);
        Watchdog watchdog = new Watchdog(cluster, 1)) {
      String ns = aRunsAndBWaits(cluster, "crash-stop");
      AtomicBoolean crashed = new AtomicBoolean();
      Runnable crash = crash(cluster);
      cluster
          .faults()
          .afterServed(
              r -> r.startsWith("DELETE /api/v1/namespaces/" + ns + "/pods/project-a"),
              () -> {
                crashed.set(true);
                crash.run();
              });
      cluster.editProject(
          ns,
          "a",
          p -> {
            p.getSpec().setDesiredState(dev.quotient.api.DesiredState.Stopped);
            return p;
          });
      await().atMost(MockCluster.TIMEOUT).untilTrue(crashed);

      QuotientOperator next = cluster.run().startOperator();
      cluster.awaitPhase(ns, "a", ProjectPhase.Stopped);
      cluster.awaitPhase(ns, "b", ProjectPhase.Running);
      assertThat(cluster.pod(ns, "a")).isNull();
      assertThat(next.ledger().snapshot().leases())
          .extracting(l -> l.podName())
          .containsExactly("project-b");
      assertThat(watchdog.violations).isEmpty();
    }
  }

  @Test
  void operatorKilledHalfwayThroughNodeLabellingFinishesTheGroupAfterRestart() throws Exception {
    try (MockCluster cluster = MockCluster.start()) {
      AtomicBoolean crashed = new AtomicBoolean();
      Runnable crash = crash(cluster);
      // The first of the two node writes is served, then the operator dies.
      cluster
          .faults()
          .afterServed(
              r ->
                  r.startsWith("PUT /api/v1/nodes/pool-")
                      || r.startsWith("PATCH /api/v1/nodes/pool-"),
              () -> {
                crashed.set(true);
                crash.run();
              });
      var group = new dev.quotient.api.DedicatedNodeGroup();
      group.setMetadata(
          new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("course").build());
      var spec = new dev.quotient.api.DedicatedNodeGroupSpec();
      spec.setNodeNames(List.of("pool-1", "pool-2"));
      group.setSpec(spec);
      cluster.create(group);
      await().atMost(MockCluster.TIMEOUT).untilTrue(crashed);
      long labelled =
          cluster.client().nodes().list().getItems().stream()
              .filter(
                  n ->
                      "course"
                          .equals(
                              n.getMetadata().getLabels().get("quotient.dev/dedicated-node-group")))
              .count();
      assertThat(labelled).as("the crash came halfway").isLessThan(2);

      cluster.run().startOperator();
      await()
          .atMost(MockCluster.TIMEOUT)
          .untilAsserted(
              () -> {
                for (String node : List.of("pool-1", "pool-2")) {
                  var n = cluster.client().nodes().withName(node).get();
                  assertThat(n.getMetadata().getLabels())
                      .containsEntry("quotient.dev/dedicated-node-group", "course");
                  assertThat(n.getSpec().getTaints())
                      .filteredOn(t -> t.getKey().equals("quotient.dev/dedicated-node-group"))
                      .singleElement()
                      .satisfies(t -> assertThat(t.getEffect()).isEqualTo("NoSchedule"));
                }
                var g =
                    cluster
                        .client()
                        .resources(dev.quotient.api.DedicatedNodeGroup.class)
                        .withName("course")
                        .get();
                assertThat(g.getStatus().getNodes()).containsExactlyInAnyOrder("pool-1", "pool-2");
              });
    }
  }

  // ---- 6: unobserved states ---------------------------------------------------------------------

  @Test
  void aDroppedPodDeleteIsHealedByTheRelistAfterTheWatchExpires() throws Exception {
    try (MockCluster cluster = clusterWithRunningLimit(1);
        Watchdog watchdog = new Watchdog(cluster, 1)) {
      String ns = aRunsAndBWaits(cluster, "gone");
      String uid = cluster.pod(ns, "a").getMetadata().getUid();
      // Someone deletes a's pod (an eviction, kubectl), and the operator never hears of it.
      cluster
          .faults()
          .dropWatchEvents(POD_WATCH, e -> e.contains("\"DELETED\"") && e.contains("project-a"), 1);
      cluster.client().pods().inNamespace(ns).withName("project-a").delete();
      await().atMost(MockCluster.TIMEOUT).until(() -> cluster.pod(ns, "a") == null);
      // The watch then expires (410 Gone): the operator relists and must see the pod is gone.
      await()
          .atMost(MockCluster.TIMEOUT)
          .until(() -> cluster.faults().expireWatches(POD_WATCH) > 0);

      // Exactly one of a (recreated) and b runs, the other waits; the ledger matches the pods.
      await()
          .atMost(MockCluster.TIMEOUT)
          .untilAsserted(
              () -> {
                List<Pod> live = cluster.client().pods().inNamespace(ns).list().getItems();
                assertThat(live).hasSize(1);
                assertThat(live.get(0).getMetadata().getUid()).isNotEqualTo(uid);
                String running = live.get(0).getMetadata().getName().substring("project-".length());
                String other = running.equals("a") ? "b" : "a";
                assertThat(cluster.project(ns, running).getStatus().getPhase())
                    .isEqualTo(ProjectPhase.Running);
                assertThat(cluster.project(ns, other).getStatus().getPhase())
                    .isEqualTo(ProjectPhase.WaitingForResources);
                assertThat(cluster.run().operator().ledger().snapshot().leases())
                    .extracting(l -> l.podName())
                    .containsExactly(live.get(0).getMetadata().getName());
              });
      assertThat(watchdog.violations).isEmpty();
    }
  }

  @Test
  void aStopWhosePodDeleteEventNeverArrivesStillFinishesAndFreesTheSlot() throws Exception {
    try (MockCluster cluster = clusterWithRunningLimit(1);
        Watchdog watchdog = new Watchdog(cluster, 1)) {
      String ns = aRunsAndBWaits(cluster, "lost");
      // The pod's DELETED event is lost and no relist comes to tell the operator.
      cluster
          .faults()
          .dropWatchEvents(POD_WATCH, e -> e.contains("\"DELETED\"") && e.contains("project-a"), 1);
      cluster.editProject(
          ns,
          "a",
          p -> {
            p.getSpec().setDesiredState(DesiredState.Stopped);
            return p;
          });
      Project a =
          cluster.awaitPhase(ns, "a", ProjectPhase.Stopped, java.time.Duration.ofSeconds(45));
      assertThat(a.getStatus().getPodName()).isNull();
      cluster.awaitPhase(ns, "b", ProjectPhase.Running);
      assertThat(cluster.run().operator().ledger().snapshot().leases())
          .extracting(l -> l.podName())
          .containsExactly("project-b");
      assertThat(watchdog.violations).isEmpty();
    }
  }

  @Test
  void podEventsLostToAnExpiredWatchAreRecoveredByTheRelist() throws Exception {
    try (MockCluster cluster = clusterWithRunningLimit(3);
        Watchdog watchdog = new Watchdog(cluster, 3)) {
      String ns = cluster.namespace("expire");
      for (int i = 0; i < 3; i++) {
        cluster.create(project(ns, "p" + i));
        cluster.awaitPhase(ns, "p" + i, ProjectPhase.Running);
      }
      cluster.create(project(ns, "p3"));
      cluster.create(project(ns, "p4"));
      cluster.awaitPhase(ns, "p3", ProjectPhase.WaitingForResources);
      cluster.awaitPhase(ns, "p4", ProjectPhase.WaitingForResources);
      // The operator's pod watch falls behind; meanwhile two projects stop and one is deleted,
      // so their pods go away. Then that watch expires (410 Gone): the events it held never arrive.
      cluster.faults().lagWatches(POD_WATCH, Duration.ofSeconds(30));
      cluster.editProject(
          ns,
          "p0",
          p -> {
            p.getSpec().setDesiredState(dev.quotient.api.DesiredState.Stopped);
            return p;
          });
      cluster.editProject(
          ns,
          "p1",
          p -> {
            p.getSpec().setDesiredState(dev.quotient.api.DesiredState.Stopped);
            return p;
          });
      cluster.client().resources(Project.class).inNamespace(ns).withName("p2").delete();
      await()
          .atMost(MockCluster.TIMEOUT)
          .until(
              () ->
                  cluster.client().pods().inNamespace(ns).list().getItems().stream()
                      .noneMatch(
                          p ->
                              List.of("project-p0", "project-p1", "project-p2")
                                  .contains(p.getMetadata().getName())));
      // (p3 and p4 may start already: a stop checks its pod with the API server instead of
      // waiting for the DELETED event.)
      assertThat(cluster.faults().expireWatches(POD_WATCH)).isEqualTo(1);
      cluster.faults().lagWatches(null, null);

      await()
          .atMost(MockCluster.TIMEOUT)
          .untilAsserted(
              () -> {
                List<Project> all =
                    cluster.client().resources(Project.class).inNamespace(ns).list().getItems();
                assertThat(
                        all.stream()
                            .map(p -> p.getMetadata().getName() + "=" + p.getStatus().getPhase())
                            .toList())
                    .as(
                        () ->
                            all.stream()
                                .map(
                                    p ->
                                        p.getMetadata().getName()
                                            + ": "
                                            + p.getStatus().getMessage())
                                .toList()
                                .toString())
                    .containsExactlyInAnyOrder(
                        "p0=Stopped", "p1=Stopped", "p3=Running", "p4=Running");
                assertThat(cluster.client().pods().inNamespace(ns).list().getItems())
                    .extracting(p -> p.getMetadata().getName())
                    .containsExactlyInAnyOrder("project-p3", "project-p4");
                assertThat(cluster.run().operator().ledger().snapshot().leases())
                    .extracting(l -> l.podName())
                    .containsExactlyInAnyOrder("project-p3", "project-p4");
              });
      assertThat(watchdog.violations).isEmpty();
    }
  }

  /**
   * In a fresh namespace of a cluster that runs one project at most: project a runs, b waits behind
   * it.
   */
  static String aRunsAndBWaits(MockCluster cluster, String prefix) {
    String ns = cluster.namespace(prefix);
    cluster.create(project(ns, "a"));
    cluster.awaitPhase(ns, "a", ProjectPhase.Running);
    cluster.create(project(ns, "b"));
    cluster.awaitPhase(ns, "b", ProjectPhase.WaitingForResources);
    return ns;
  }

  static void poke(MockCluster cluster, String ns, String name, String value) {
    cluster.editProject(
        ns,
        name,
        p -> {
          Map<String, String> a =
              p.getMetadata().getAnnotations() == null
                  ? new HashMap<>()
                  : new HashMap<>(p.getMetadata().getAnnotations());
          a.put("example.com/poke", value);
          p.getMetadata().setAnnotations(a);
          return p;
        });
  }
}
