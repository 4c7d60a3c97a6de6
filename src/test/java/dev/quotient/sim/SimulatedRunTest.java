package dev.quotient.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulated kubelet reads a run's command: sleep N is its run time, a trailing exit N its code.
 */
class SimulatedRunTest {
  static Pod pod(String restartPolicy, List<String> command, List<String> args) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("project-r")
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy(restartPolicy)
        .addNewContainer()
        .withName("project")
        .withImage("img")
        .withCommand(command)
        .withArgs(args)
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withStartTime("2026-01-01T00:00:00Z")
        .endStatus()
        .build();
  }

  @Test
  void sleepAndExitInTheCommandSayHowLongAndHowItEnds() {
    SimulatedRun run =
        SimulatedRun.of(pod("Never", List.of("sh", "-c"), List.of("train; sleep 5; exit 3")))
            .orElseThrow();
    assertThat(run).isEqualTo(new SimulatedRun(Duration.ofSeconds(5), 3));
    Pod pod = pod("Never", List.of("sh", "-c"), List.of("train; sleep 5; exit 3"));
    assertThat(run.endsBy(pod)).contains(Instant.parse("2026-01-01T00:00:05Z"));
    Pod done = run.terminated(pod, Instant.parse("2026-01-01T00:00:05Z"));
    assertThat(done.getStatus().getPhase()).isEqualTo("Failed");
    var terminated = done.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    assertThat(terminated.getExitCode()).isEqualTo(3);
    assertThat(terminated.getReason()).isEqualTo("Error");
  }

  @Test
  void withoutThemItRunsBrieflyAndSucceeds() {
    SimulatedRun run = SimulatedRun.of(pod("Never", List.of("agent"), null)).orElseThrow();
    assertThat(run).isEqualTo(new SimulatedRun(SimulatedRun.DEFAULT_RUN_TIME, 0));
    Pod pod = pod("Never", List.of("agent"), null);
    assertThat(run.terminated(pod, Instant.now()).getStatus().getPhase()).isEqualTo("Succeeded");
  }

  @Test
  void aWorkspaceNeverEnds() {
    assertThat(SimulatedRun.of(pod("Always", List.of("sh", "-c", "exit 1"), null))).isEmpty();
  }
}
