package dev.quotient.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

/** A run's result, read from its project container's terminated state. */
class ContainerExitTest {
  static Pod pod(String container, Integer code, String reason, String message) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("project-p")
        .endMetadata()
        .withNewStatus()
        .withPhase(code != null && code == 0 ? "Succeeded" : "Failed")
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName(container)
                .withNewState()
                .withNewTerminated()
                .withExitCode(code)
                .withReason(reason)
                .withMessage(message)
                .withFinishedAt("2026-01-01T00:00:00Z")
                .endTerminated()
                .endState()
                .build())
        .endStatus()
        .build();
  }

  @Test
  void readsTheExitCodeReasonAndMessageOfTheProjectContainer() {
    ContainerExit exit = ContainerExit.of(pod("project", 3, "Error", "out of data")).orElseThrow();
    assertThat(exit)
        .isEqualTo(new ContainerExit(3, "Error", "out of data", "2026-01-01T00:00:00Z"));
    assertThat(exit.succeeded()).isFalse();
    assertThat(exit.describe()).isEqualTo("exited with code 3 (Error: out of data)");
    assertThat(ContainerExit.of(pod("project", 0, "Completed", null)).orElseThrow().describe())
        .isEqualTo("exited with code 0 (Completed)");
  }

  @Test
  void otherContainersAndRunningOnesSayNothing() {
    assertThat(ContainerExit.of(pod("sidecar", 1, "Error", null))).isEmpty();
    assertThat(ContainerExit.of(new PodBuilder().withNewMetadata().endMetadata().build()))
        .isEmpty();
  }
}
