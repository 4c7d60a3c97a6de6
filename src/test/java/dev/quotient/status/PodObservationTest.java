package dev.quotient.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.ProjectPhase;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PodObservationTest {
  private static final String START = "2026-03-01T10:00:00Z";
  private static final String SCHEDULER_MSG =
      "0/4 nodes are available: 1 node(s) had untolerated taint "
          + "{quotient.dev/dedicated-node-group: gpu}, 3 Insufficient memory.";

  static Pod pod(String node, PodStatus status) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("project-thesis")
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .endSpec()
        .withStatus(status)
        .build();
  }

  static PodStatusBuilder status(String phase) {
    return new PodStatusBuilder().withPhase(phase);
  }

  static PodStatusBuilder waiting(String phase, String reason, String message) {
    return status(phase)
        .withStartTime(START)
        .addToContainerStatuses(
            new ContainerStatusBuilder()
                .withName("project")
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .withMessage(message)
                .endWaiting()
                .endState()
                .build());
  }

  static Stream<Arguments> observations() {
    return Stream.of(
        Arguments.of(
            "no status yet",
            pod(null, null),
            ProjectPhase.Starting,
            Reason.PodCreated,
            "Pod created, waiting for the scheduler",
            null),
        Arguments.of(
            "pending, not yet looked at",
            pod(null, status("Pending").build()),
            ProjectPhase.Starting,
            Reason.PodCreated,
            "waiting for the scheduler",
            null),
        Arguments.of(
            "pending unschedulable",
            pod(
                null,
                status("Pending")
                    .addToConditions(
                        new PodConditionBuilder()
                            .withType("PodScheduled")
                            .withStatus("False")
                            .withReason("Unschedulable")
                            .withMessage(SCHEDULER_MSG)
                            .build())
                    .build()),
            ProjectPhase.Starting,
            Reason.Unschedulable,
            "Unschedulable: " + SCHEDULER_MSG,
            null),
        Arguments.of(
            "unschedulable without message",
            pod(
                null,
                status("Pending")
                    .addToConditions(
                        new PodConditionBuilder()
                            .withType("PodScheduled")
                            .withStatus("False")
                            .build())
                    .build()),
            ProjectPhase.Starting,
            Reason.Unschedulable,
            "Unschedulable: no node fits",
            null),
        Arguments.of(
            "scheduled, container creating",
            pod(
                "node-1",
                waiting("Pending", "ContainerCreating", null)
                    .addToConditions(
                        new PodConditionBuilder()
                            .withType("PodScheduled")
                            .withStatus("True")
                            .build())
                    .build()),
            ProjectPhase.Starting,
            Reason.PodScheduled,
            "Pod scheduled on node-1, starting",
            "node-1"),
        Arguments.of(
            "image pull back-off",
            pod(
                "node-1",
                waiting("Pending", "ImagePullBackOff", "Back-off pulling image \"nope:1\"")
                    .build()),
            ProjectPhase.Starting,
            Reason.ImagePullFailed,
            "ImagePullBackOff: Back-off pulling image \"nope:1\"",
            "node-1"),
        Arguments.of(
            "err image pull",
            pod("node-1", waiting("Pending", "ErrImagePull", null).build()),
            ProjectPhase.Starting,
            Reason.ImagePullFailed,
            "ErrImagePull: ",
            "node-1"),
        Arguments.of(
            "invalid image name",
            pod("node-1", waiting("Pending", "InvalidImageName", "bad").build()),
            ProjectPhase.Starting,
            Reason.ImagePullFailed,
            "InvalidImageName: bad",
            "node-1"),
        Arguments.of(
            "crash loop",
            pod("node-1", waiting("Running", "CrashLoopBackOff", "back-off 5m").build()),
            ProjectPhase.Starting,
            Reason.ContainerFailing,
            "CrashLoopBackOff: back-off 5m",
            "node-1"),
        Arguments.of(
            "config error",
            pod("node-1", waiting("Pending", "CreateContainerConfigError", "no secret").build()),
            ProjectPhase.Starting,
            Reason.ContainerFailing,
            "CreateContainerConfigError: no secret",
            "node-1"),
        Arguments.of(
            "running and ready",
            pod(
                "node-1",
                status("Running")
                    .withStartTime(START)
                    .addToConditions(
                        new PodConditionBuilder().withType("Ready").withStatus("True").build())
                    .build()),
            ProjectPhase.Running,
            Reason.PodRunning,
            "Running on node-1",
            "node-1"),
        Arguments.of(
            "running, not ready",
            pod(
                "node-1",
                status("Running")
                    .withStartTime(START)
                    .addToConditions(
                        new PodConditionBuilder().withType("Ready").withStatus("False").build())
                    .build()),
            ProjectPhase.Starting,
            Reason.PodScheduled,
            "Pod scheduled on node-1, starting",
            "node-1"),
        Arguments.of(
            "running, marked not ready by the node controller (containers still ready)",
            pod(
                "node-1",
                status("Running")
                    .withStartTime(START)
                    .addToConditions(
                        new PodConditionBuilder()
                            .withType("ContainersReady")
                            .withStatus("True")
                            .build(),
                        new PodConditionBuilder().withType("Ready").withStatus("False").build())
                    .build()),
            ProjectPhase.Running,
            Reason.NodeNotReporting,
            "Running on node-1 (the pod is marked not ready while its containers run: node node-1"
                + " has not reported lately)",
            "node-1"),
        Arguments.of(
            "running, containers ready, a readiness gate not yet True (the kubelet says so)",
            pod(
                "node-1",
                status("Running")
                    .withStartTime(START)
                    .addToConditions(
                        new PodConditionBuilder()
                            .withType("ContainersReady")
                            .withStatus("True")
                            .build(),
                        new PodConditionBuilder()
                            .withType("Ready")
                            .withStatus("False")
                            .withReason("ReadinessGatesNotReady")
                            .withMessage(
                                "corresponding condition of pod readiness gate"
                                    + " \"lb.example.com/ready\" does not exist.")
                            .build())
                    .build()),
            ProjectPhase.Starting,
            Reason.PodScheduled,
            "Pod running on node-1, waiting for its readiness gates (corresponding condition of pod"
                + " readiness gate \"lb.example.com/ready\" does not exist.)",
            "node-1"),
        Arguments.of(
            "running, readiness probe failing (containers not ready)",
            pod(
                "node-1",
                status("Running")
                    .withStartTime(START)
                    .addToConditions(
                        new PodConditionBuilder()
                            .withType("ContainersReady")
                            .withStatus("False")
                            .build(),
                        new PodConditionBuilder().withType("Ready").withStatus("False").build())
                    .build()),
            ProjectPhase.Starting,
            Reason.PodScheduled,
            "Pod scheduled on node-1, starting",
            "node-1"),
        Arguments.of(
            "failed: node lost",
            pod(
                "node-1",
                status("Failed")
                    .withReason("NodeLost")
                    .withMessage("Node node-1 which was running pod project-thesis is unresponsive")
                    .withStartTime(START)
                    .build()),
            ProjectPhase.Failed,
            Reason.PodFailed,
            "Pod NodeLost: Node node-1 which was running pod project-thesis is unresponsive",
            "node-1"),
        Arguments.of(
            "failed without reason",
            pod("node-1", status("Failed").build()),
            ProjectPhase.Failed,
            Reason.PodFailed,
            "Pod Failed: the pod ended",
            "node-1"),
        Arguments.of(
            "succeeded (container exited)",
            pod("node-1", status("Succeeded").build()),
            ProjectPhase.Failed,
            Reason.PodFailed,
            "Pod Succeeded: the pod ended",
            "node-1"),
        Arguments.of(
            "terminating wins over running",
            new PodBuilder(
                    pod(
                        "node-1",
                        status("Running")
                            .addToConditions(
                                new PodConditionBuilder()
                                    .withType("Ready")
                                    .withStatus("True")
                                    .build())
                            .build()))
                .editMetadata()
                .withDeletionTimestamp("2026-03-01T11:00:00Z")
                .endMetadata()
                .build(),
            ProjectPhase.Stopping,
            Reason.Stopping,
            "Pod project-thesis is terminating",
            "node-1"),
        Arguments.of(
            "terminating wins over failed",
            new PodBuilder(pod("node-1", status("Failed").build()))
                .editMetadata()
                .withDeletionTimestamp("2026-03-01T11:00:00Z")
                .endMetadata()
                .build(),
            ProjectPhase.Stopping,
            Reason.Stopping,
            "is terminating",
            "node-1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("observations")
  void observe(
      String title, Pod pod, ProjectPhase phase, Reason reason, String message, String node) {
    PodObservation o = PodObservation.of(pod);
    assertThat(o.phase()).isEqualTo(phase);
    assertThat(o.reason()).isEqualTo(reason);
    assertThat(o.message()).contains(message);
    assertThat(o.nodeName()).isEqualTo(node);
    String start = pod.getStatus() == null ? null : pod.getStatus().getStartTime();
    assertThat(o.startedAt()).isEqualTo(start);
  }
}
