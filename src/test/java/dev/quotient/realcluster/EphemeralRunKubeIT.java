package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.admin;
import static dev.quotient.realcluster.RealCluster.awaitPhase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quotient.admission.ProjectKey;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.StopReason;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ephemeral runs on the real control plane: the API server takes the run's pod (restartPolicy
 * Never, the command), kwok ends it as its command says (the stage of run-control-plane.sh), the
 * Project records Succeeded or Failed with the exit code, the pod goes and its lease is released;
 * the CRD's CEL rule keeps spec.lifetime immutable; after ephemeralRetention the operator, as its
 * ServiceAccount, deletes the finished Project.
 */
class EphemeralRunKubeIT {
  private static void run(String ns, String name, String script) {
    admin()
        .resource(
            """
            apiVersion: quotient.dev/v1alpha1
            kind: Project
            metadata: {name: %s, namespace: %s}
            spec:
              lifetime: Ephemeral
              command: [sh, -c, "%s"]
            """
                .formatted(name, ns, script))
        .create();
  }

  private static boolean leaseHeld(String ns, String name) {
    return RealCluster.get().operator().ledger().lease(new ProjectKey(ns, name)).isPresent();
  }

  @Test
  void aRunCompletesToSucceededItsPodGoesAndItsLeaseIsReleased() {
    String ns = RealCluster.namespace("run-ok");
    run(ns, "agent", "echo working; exit 0");
    await()
        .atMost(RealCluster.TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> RealCluster.pod(ns, "agent") != null);
    Pod pod = RealCluster.pod(ns, "agent");
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getSpec().getContainers().get(0).getCommand())
        .containsExactly("sh", "-c", "echo working; exit 0");

    Project done = awaitPhase(ns, "agent", ProjectPhase.Succeeded);
    assertThat(done.getStatus().getExitCode()).isZero();
    assertThat(done.getStatus().getExitReason()).isEqualTo("Completed");
    assertThat(done.getStatus().getStopReason()).isEqualTo(StopReason.Finished);
    assertThat(done.getStatus().getFinishedAt()).isNotNull();
    await()
        .atMost(RealCluster.TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> RealCluster.pod(ns, "agent") == null && !leaseHeld(ns, "agent"));
    assertThat(RealCluster.project(ns, "agent").getStatus().getPhase())
        .isEqualTo(ProjectPhase.Succeeded);
  }

  @Test
  void aRunThatExitsNonZeroIsFailedWithItsExitCode() {
    String ns = RealCluster.namespace("run-fail");
    run(ns, "tests", "make test; exit 4");
    Project failed = awaitPhase(ns, "tests", ProjectPhase.Failed);
    assertThat(failed.getStatus().getExitCode()).isEqualTo(4);
    assertThat(failed.getStatus().getExitReason()).isEqualTo("Error");
    assertThat(failed.getStatus().getMessage()).contains("exited with code 4");
    await()
        .atMost(RealCluster.TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> RealCluster.pod(ns, "tests") == null && !leaseHeld(ns, "tests"));
  }

  @Test
  void aRunDoesNotTurnIntoAWorkspace() {
    String ns = RealCluster.namespace("run-cel");
    run(ns, "once", "sleep 1; exit 0");
    KubernetesClientException e =
        assertThrows(
            KubernetesClientException.class,
            () ->
                RealCluster.editProject(
                    ns,
                    "once",
                    p -> {
                      p.getSpec().setLifetime(dev.quotient.api.Lifetime.Persistent);
                      return p;
                    }));
    assertThat(e.getCode()).isEqualTo(422);
    assertThat(e.getMessage()).contains("spec.lifetime is immutable");
    // A workspace gets Persistent from the schema's default.
    admin()
        .resource(
            """
            apiVersion: quotient.dev/v1alpha1
            kind: Project
            metadata: {name: desk, namespace: %s}
            spec: {}
            """
                .formatted(ns))
        .create();
    assertThat(RealCluster.project(ns, "desk").getSpec().getLifetime())
        .isEqualTo(dev.quotient.api.Lifetime.Persistent);
  }

  @Test
  void theOperatorDeletesAFinishedRunAfterEphemeralRetention() {
    String ns = RealCluster.namespace("run-retention");
    Duration before = RealCluster.get().operator().settings().ephemeralRetention();
    RealCluster.editSettings(
        Map.of("ephemeralRetention", "3s"),
        s -> s.ephemeralRetention().equals(Duration.ofSeconds(3)));
    try {
      run(ns, "brief", "exit 0");
      awaitPhase(ns, "brief", ProjectPhase.Succeeded);
      await()
          .atMost(RealCluster.TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> RealCluster.project(ns, "brief") == null);
    } finally {
      RealCluster.editSettings(
          Map.of("ephemeralRetention", before.toHours() + "h"),
          s -> s.ephemeralRetention().equals(before));
    }
  }
}
