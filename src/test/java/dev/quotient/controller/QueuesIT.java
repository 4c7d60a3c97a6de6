package dev.quotient.controller;

import static dev.quotient.testing.TestResources.project;
import static dev.quotient.testing.TestResources.quota;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.DesiredState;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The per-scope queues through the operator: a full namespace or node group holds back only its own
 * projects, a large project is not starved, projects wake in the order they came, and that order
 * survives a restart. The clock is fake: waiting past queue.backfillFor is a clock move.
 */
class QueuesIT {
  private static MockCluster cluster(String... keyValues) {
    Map<String, String> settings = new HashMap<>(EmbeddedRun.SETTINGS);
    settings.put("queue.backfillFor", "5m");
    settings.put("defaultQuota.idleTimeout", "");
    settings.put("pendingTimeout", "2h");
    for (int i = 0; i < keyValues.length; i += 2) {
      settings.put(keyValues[i], keyValues[i + 1]);
    }
    return MockCluster.startOnFakeClock(settings);
  }

  @Test
  void aFullNamespaceQuotaHoldsBackOnlyItsOwnNamespaceLongPastTheBackfillWindow() {
    try (MockCluster c = cluster()) {
      String course = c.namespace("course");
      c.create(
          new ResourceQuotaBuilder()
              .withNewMetadata()
              .withName("students")
              .withNamespace(course)
              .endMetadata()
              .withNewSpec()
              .withHard(Map.of("count/pods", new Quantity("1")))
              .endSpec()
              .build());
      c.create(project(course, "student-1"));
      c.awaitPhase(course, "student-1", ProjectPhase.Running);
      c.create(project(course, "student-2"));
      Project waiting = c.awaitPhase(course, "student-2", ProjectPhase.WaitingForResources);
      assertThat(waiting.getStatus().getMessage())
          .isEqualTo(
              "Waiting for resources: namespace quota "
                  + course
                  + "/students: count/pods needs 1, 0 of 1 free");
      assertThat(waiting.getStatus().getWaitingSince()).isNotNull();

      c.advance(Duration.ofMinutes(10));
      String lab = c.namespace("lab");
      c.create(project(lab, "p"));
      c.awaitPhase(lab, "p", ProjectPhase.Running);
      c.create(project(course, "student-3"));
      Project behind =
          c.awaitProject(
              course,
              "student-3",
              p ->
                  p.getStatus() != null
                      && Integer.valueOf(2).equals(p.getStatus().getQueuePosition()));
      assertThat(behind.getStatus().getPhase()).isEqualTo(ProjectPhase.WaitingForResources);

      c.setDesiredState(course, "student-1", DesiredState.Stopped);
      c.awaitPhase(course, "student-2", ProjectPhase.Running);
      assertThat(c.project(course, "student-3").getStatus().getPhase())
          .isEqualTo(ProjectPhase.WaitingForResources);
    }
  }

  @Test
  void aFullNodeGroupHoldsBackOnlyProjectsForThatGroup() {
    try (MockCluster c = cluster()) {
      String ns = c.namespace("groups");
      var group = new dev.quotient.api.DedicatedNodeGroup();
      group.setMetadata(
          new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("physics").build());
      var spec = new dev.quotient.api.DedicatedNodeGroupSpec();
      spec.setNodeNames(List.of("physics-1"));
      group.setSpec(spec);
      c.create(group);
      c.create(
          dev.quotient.testing.TestResources.license(
              "physics-seat",
              10,
              q -> {
                q.setCpu("200");
                q.setNodeGroups(List.of("physics"));
              }));
      c.create(project(ns, "a", "physics-seat"));
      c.awaitPhase(ns, "a", ProjectPhase.Running);
      c.create(project(ns, "b", "physics-seat"));
      Project b = c.awaitPhase(ns, "b", ProjectPhase.WaitingForResources);
      assertThat(b.getStatus().getMessage()).contains("node group physics: cpu needs 20");

      c.advance(Duration.ofMinutes(10));
      c.create(project(ns, "plain"));
      c.awaitPhase(ns, "plain", ProjectPhase.Running);
    }
  }

  @Test
  void aLargeProjectIsNotStarvedBySmallOnesComingAndGoing() {
    // Requests: the default project 205Mi, "large" and "filler" 2Gi each; 3Gi in all.
    try (MockCluster c = cluster("clusterQuota.memory", "3Gi")) {
      String ns = c.namespace("starve");
      c.create(project(ns, "filler", s -> s.setAdminQuota(quota(null, "10Gi"))));
      c.awaitPhase(ns, "filler", ProjectPhase.Running);
      c.create(project(ns, "large", s -> s.setAdminQuota(quota(null, "10Gi"))));
      c.awaitPhase(ns, "large", ProjectPhase.WaitingForResources);
      // While the large one is young, small ones may pass it ...
      c.create(project(ns, "small-1"));
      c.awaitPhase(ns, "small-1", ProjectPhase.Running);
      c.setDesiredState(ns, "small-1", DesiredState.Stopped);
      c.awaitPhase(ns, "small-1", ProjectPhase.Stopped);
      // ... once it has waited past the backfill window, they queue behind it.
      c.advance(Duration.ofMinutes(6));
      c.create(project(ns, "small-2"));
      Project held = c.awaitPhase(ns, "small-2", ProjectPhase.WaitingForResources);
      assertThat(held.getStatus().getMessage())
          .contains("queued behind " + ns + "/large in the cluster quota")
          .contains("has waited longer than 5m");
      c.setDesiredState(ns, "filler", DesiredState.Stopped);
      c.awaitPhase(ns, "large", ProjectPhase.Running);
      c.awaitPhase(ns, "small-2", ProjectPhase.Running);
    }
  }

  @Test
  void waitingProjectsWakeInTheOrderTheyCameAndTheOrderSurvivesARestart() {
    try (MockCluster c = cluster("clusterQuota.runningProjects", "1")) {
      String ns = c.namespace("order");
      c.create(project(ns, "running"));
      c.awaitPhase(ns, "running", ProjectPhase.Running);
      for (String name : List.of("w1", "w2", "w3")) {
        c.create(project(ns, name));
        c.awaitPhase(ns, name, ProjectPhase.WaitingForResources);
        c.advance(Duration.ofSeconds(10));
      }
      assertThat(List.of("w1", "w2", "w3"))
          .extracting(n -> c.project(ns, n).getStatus().getQueuePosition())
          .containsExactly(1, 2, 3);
      Map<String, String> since = new HashMap<>();
      for (String n : List.of("w1", "w2", "w3")) {
        since.put(n, c.project(ns, n).getStatus().getWaitingSince());
      }

      c.run().restartOperator();
      // The restarted operator knows the order before it admits anything.
      await()
          .atMost(MockCluster.TIMEOUT)
          .until(
              () ->
                  c.run()
                      .operator()
                      .ledger()
                      .queue()
                      .equals(
                          List.of(
                              new dev.quotient.admission.ProjectKey(ns, "w1"),
                              new dev.quotient.admission.ProjectKey(ns, "w2"),
                              new dev.quotient.admission.ProjectKey(ns, "w3"))));
      for (String n : List.of("w1", "w2", "w3")) {
        assertThat(c.project(ns, n).getStatus().getWaitingSince()).isEqualTo(since.get(n));
      }

      c.setDesiredState(ns, "running", DesiredState.Stopped);
      c.awaitPhase(ns, "w1", ProjectPhase.Running);
      assertThat(c.project(ns, "w2").getStatus().getPhase())
          .isEqualTo(ProjectPhase.WaitingForResources);
      c.setDesiredState(ns, "w1", DesiredState.Stopped);
      c.awaitPhase(ns, "w2", ProjectPhase.Running);
      assertThat(c.project(ns, "w3").getStatus().getPhase())
          .isEqualTo(ProjectPhase.WaitingForResources);
      assertThat(c.project(ns, "w3").getStatus().getQueuePosition()).isEqualTo(1);
    }
  }

  @Test
  void aPodThatCannotBeScheduledInItsGroupMovesToTheNextGroupAtPendingTimeout() {
    try (MockCluster c = cluster("pendingTimeout", "10m")) {
      String ns = c.namespace("fallback");
      for (String[] g :
          List.of(new String[] {"busy", "physics-1"}, new String[] {"spare", "pool-2"})) {
        var group = new dev.quotient.api.DedicatedNodeGroup();
        group.setMetadata(
            new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(g[0]).build());
        var spec = new dev.quotient.api.DedicatedNodeGroupSpec();
        spec.setNodeNames(List.of(g[1]));
        group.setSpec(spec);
        c.create(group);
      }
      // Something that is not a project fills physics-1: the ledger sees the group's capacity
      // free, the scheduler does not.
      c.create(
          new io.fabric8.kubernetes.api.model.PodBuilder()
              .withNewMetadata()
              .withName("batch-job")
              .withNamespace(ns)
              .endMetadata()
              .withNewSpec()
              .withNodeName("physics-1")
              .addNewContainer()
              .withName("job")
              .withImage("busybox")
              .withNewResources()
              .addToRequests("cpu", new Quantity("30"))
              .endResources()
              .endContainer()
              .endSpec()
              .build());
      c.create(
          dev.quotient.testing.TestResources.license(
              "fallback-seat",
              5,
              q -> {
                q.setCpu("60");
                q.setNodeGroups(List.of("busy", "spare"));
              }));
      c.create(project(ns, "p", "fallback-seat"));
      c.awaitProject(
          ns,
          "p",
          p ->
              p.getStatus() != null
                  && p.getStatus().getMessage() != null
                  && p.getStatus().getMessage().startsWith("Unschedulable"));
      assertThat(c.project(ns, "p").getStatus().getEffectiveQuota().getNodeGroup())
          .isEqualTo("busy");

      c.advance(Duration.ofMinutes(11));
      Project moved =
          c.awaitProject(
              ns,
              "p",
              p ->
                  p.getStatus().getPhase() == ProjectPhase.Running
                      && "pool-2".equals(p.getStatus().getNodeName()));
      assertThat(moved.getStatus().getEffectiveQuota().getNodeGroup()).isEqualTo("spare");
      assertThat(moved.getStatus().getSkippedNodeGroups()).isNull();
      assertThat(moved.getStatus().getStopReason()).isNull();
      assertThat(c.events(ns, "p"))
          .anySatisfy(
              e -> {
                assertThat(e.getReason()).isEqualTo("NodeGroupFallback");
                assertThat(e.getMessage())
                    .contains("in node group busy for 10m: moving to node group spare");
              });
    }
  }
}
