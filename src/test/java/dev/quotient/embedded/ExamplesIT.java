package dev.quotient.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.quotient.api.LicenseState;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.pod.ProjectPodFactory;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's embedded run with examples/: every example lands where it should, with its quota.
 */
class ExamplesIT {
  private static EmbeddedRun run;

  @BeforeAll
  static void start() throws Exception {
    run =
        EmbeddedRun.start(0, EmbeddedRun.SETTINGS, Duration.ofMillis(200), Duration.ofMillis(100));
    run.apply(Path.of("examples"));
    run.awaitSettled(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    run.close();
  }

  private static Project project(String name) {
    return run.client().resources(Project.class).inNamespace("research").withName(name).get();
  }

  @Test
  void plainProjectGetsTheDefaultQuotaOnAProjectNode() {
    Project p = project("plain");
    assertThat(p.getStatus().getPhase()).isEqualTo(ProjectPhase.Running);
    assertThat(p.getStatus().getEffectiveQuota().getCpuLimit()).isEqualTo("1");
    assertThat(p.getStatus().getEffectiveQuota().getMemoryLimit()).isEqualTo("1Gi");
    assertThat(p.getStatus().getNodeName()).startsWith("pool-");
  }

  @Test
  void twoLicensesAddUp() {
    Project p = project("two-licenses");
    assertThat(p.getStatus().getEffectiveQuota().getCpuLimit()).isEqualTo("2");
    assertThat(p.getStatus().getEffectiveQuota().getMemoryLimit()).isEqualTo("8Gi");
    assertThat(p.getStatus().getEffectiveQuota().getMemoryRequest()).isEqualTo("1639Mi");
    assertThat(p.getStatus().getEffectiveQuota().getIdleTimeout()).isEqualTo("2h");
  }

  @Test
  void expiredLicenseUpgradesNothingAndSaysSo() {
    Project p = project("expired-course");
    assertThat(p.getStatus().getPhase()).isEqualTo(ProjectPhase.Running);
    assertThat(p.getStatus().getEffectiveQuota().getCpuLimit()).isEqualTo("1");
    assertThat(p.getStatus().getLicenses())
        .singleElement()
        .satisfies(l -> assertThat(l.getState()).isEqualTo(LicenseState.Expired));
  }

  @Test
  void dedicatedProjectRunsOnTheGroupsNode() {
    Project p = project("physics-sim");
    assertThat(p.getStatus().getPhase()).isEqualTo(ProjectPhase.Running);
    assertThat(p.getStatus().getNodeName()).isEqualTo("physics-1");
    assertThat(p.getStatus().getEffectiveQuota().getAlwaysRunning()).isTrue();
  }

  @Test
  void gpuProjectRunsOnTheGpuNode() {
    Project p = project("gpu-training");
    assertThat(p.getStatus().getNodeName()).isEqualTo("gpu-1");
    assertThat(p.getStatus().getEffectiveQuota().getGpu()).isEqualTo(1);
    assertThat(p.getStatus().getEffectiveQuota().getMaxDuration()).isEqualTo("8h");
    // gpu-1 is tainted nvidia.com/gpu=present:NoSchedule and the license names no toleration: the
    // pod gets there by the toleration every GPU pod gets (pod.tolerateGpuTaint).
    Node gpuNode = run.client().nodes().withName("gpu-1").get();
    assertThat(gpuNode.getSpec().getTaints())
        .extracting(Taint::getKey, Taint::getValue, Taint::getEffect)
        .containsExactly(tuple("nvidia.com/gpu", "present", "NoSchedule"));
    Pod pod =
        run.client()
            .pods()
            .inNamespace("research")
            .withName(ProjectPodFactory.podName("gpu-training"))
            .get();
    assertThat(pod.getSpec().getTolerations())
        .extracting(Toleration::getKey, Toleration::getOperator, Toleration::getEffect)
        .containsExactly(tuple("nvidia.com/gpu", "Exists", "NoSchedule"));
  }

  @Test
  void courseNamespaceQuotaAdmitsTwoStudentsAndQueuesTheThirdUntilOneStops() {
    List<Project> students =
        run.client().resources(Project.class).inNamespace("course").list().getItems();
    assertThat(students).hasSize(3);
    assertThat(students)
        .filteredOn(p -> p.getStatus().getPhase() == ProjectPhase.Running)
        .hasSize(2);
    Project waiting =
        students.stream()
            .filter(p -> p.getStatus().getPhase() == ProjectPhase.WaitingForResources)
            .findFirst()
            .orElseThrow();
    assertThat(waiting.getStatus().getMessage())
        .isEqualTo(
            "Waiting for resources: namespace quota course/compute: requests.memory needs 410Mi, 204Mi of 1Gi free");
    assertThat(waiting.getStatus().getQueuePosition()).isEqualTo(1);
    assertThat(waiting.getStatus().getEffectiveQuota().getMemoryLimit()).isEqualTo("2Gi");

    Project running =
        students.stream()
            .filter(p -> p.getStatus().getPhase() == ProjectPhase.Running)
            .findFirst()
            .orElseThrow();
    // What 'kubectl patch --type merge' sends: no resourceVersion, so no conflict with status
    // writes.
    run.client()
        .resources(Project.class)
        .inNamespace("course")
        .withName(running.getMetadata().getName())
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"spec\":{\"desiredState\":\"Stopped\"}}");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                run.client()
                        .resources(Project.class)
                        .inNamespace("course")
                        .withName(waiting.getMetadata().getName())
                        .get()
                        .getStatus()
                        .getPhase()
                    == ProjectPhase.Running);
  }

  @Test
  void tablePrintsEveryProject() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    run.printProjects(new PrintStream(out, true, StandardCharsets.UTF_8));
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains(
            "plain",
            "two-licenses",
            "expired-course",
            "physics-sim",
            "gpu-training",
            "physics-1",
            "gpu-1");
  }

  @Test
  void theAgentRunSucceedsAndGivesBackItsPod() {
    Project p = project("nightly-eval");
    assertThat(p.getStatus().getPhase()).isEqualTo(ProjectPhase.Succeeded);
    assertThat(p.getStatus().getExitCode()).isZero();
    assertThat(p.getStatus().getMessage())
        .startsWith("Succeeded: the command exited with code 0 (Completed) on pool-");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                run.client()
                        .pods()
                        .inNamespace("research")
                        .withName(ProjectPodFactory.podName("nightly-eval"))
                        .get()
                    == null);
  }
}
