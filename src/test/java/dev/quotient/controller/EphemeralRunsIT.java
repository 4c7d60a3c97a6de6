package dev.quotient.controller;

import static dev.quotient.testing.TestResources.project;
import static dev.quotient.testing.TestResources.quota;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.admission.ProjectKey;
import dev.quotient.api.DesiredState;
import dev.quotient.api.Lifetime;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.QuotientLabels;
import dev.quotient.api.StopReason;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ephemeral runs through the operator on the mock API server, the simulated kubelet ending each run
 * as its command says: Succeeded with exit 0, Failed with the exit code, the pod deleted and the
 * lease released while the record stays; a run waiting for the one ephemeral slot and woken when it
 * frees; the record deleted after ephemeralRetention; maxDuration. The operator's clock is a fake
 * one the test moves (the idle timeout of one minute would stop a workspace long before).
 */
class EphemeralRunsIT {
  private static MockCluster cluster;

  @BeforeAll
  static void start() {
    Map<String, String> settings = new HashMap<>(EmbeddedRun.SETTINGS);
    settings.put("defaultQuota.idleTimeout", "1m");
    settings.put("clusterQuota.ephemeralProjects", "1");
    settings.put("ephemeralRetention", "24h");
    cluster = MockCluster.startOnFakeClock(settings);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static Project run(String ns, String name, String script, Consumer<Project> edit) {
    Project p =
        project(
            ns,
            name,
            s -> {
              s.setLifetime(Lifetime.Ephemeral);
              s.setCommand(List.of("sh", "-c", script));
            });
    edit.accept(p);
    return cluster.create(p);
  }

  private static Project run(String ns, String name, String script) {
    return run(ns, name, script, p -> {});
  }

  private static boolean leaseHeld(String ns, String name) {
    return cluster.run().operator().ledger().lease(new ProjectKey(ns, name)).isPresent();
  }

  @Test
  void aRunSucceedsWithExitZeroItsPodGoesAndItsRecordStays() {
    String ns = cluster.namespace("run-ok");
    run(ns, "train", "python train.py; sleep 2; exit 0");
    await().atMost(MockCluster.TIMEOUT).until(() -> cluster.pod(ns, "train") != null);
    Pod pod = cluster.pod(ns, "train");
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getSpec().getContainers().get(0).getCommand())
        .containsExactly("sh", "-c", "python train.py; sleep 2; exit 0");
    assertThat(pod.getMetadata().getLabels()).containsEntry(QuotientLabels.LIFETIME, "Ephemeral");

    Project done = cluster.awaitPhase(ns, "train", ProjectPhase.Succeeded);
    assertThat(done.getStatus().getExitCode()).isZero();
    assertThat(done.getStatus().getExitReason()).isEqualTo("Completed");
    assertThat(done.getStatus().getStopReason()).isEqualTo(StopReason.Finished);
    assertThat(done.getStatus().getFinishedAt()).isNotNull();
    assertThat(done.getStatus().getMessage())
        .startsWith("Succeeded: the command exited with code 0 (Completed) on ");
    await().atMost(MockCluster.TIMEOUT).until(() -> cluster.pod(ns, "train") == null);
    assertThat(leaseHeld(ns, "train")).isFalse();
    assertThat(cluster.hasEvent(ns, "train", "RunSucceeded")).isTrue();

    // Idle timers do not apply, and a finished run is not started again.
    cluster.advance(Duration.ofHours(2));
    await()
        .during(Duration.ofMillis(700))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                cluster.pod(ns, "train") == null
                    && cluster.project(ns, "train").getStatus().getPhase()
                        == ProjectPhase.Succeeded);
    assertThat(cluster.project(ns, "train").getStatus().getExitCode()).isZero();
  }

  @Test
  void aRunFailsWithItsExitCode() {
    String ns = cluster.namespace("run-fail");
    run(ns, "agent", "agent --task fix-tests; exit 3");
    Project failed = cluster.awaitPhase(ns, "agent", ProjectPhase.Failed);
    assertThat(failed.getStatus().getExitCode()).isEqualTo(3);
    assertThat(failed.getStatus().getExitReason()).isEqualTo("Error");
    assertThat(failed.getStatus().getStopReason()).isEqualTo(StopReason.Finished);
    assertThat(failed.getStatus().getMessage())
        .startsWith("Failed: the command exited with code 3 (Error) on ");
    await().atMost(MockCluster.TIMEOUT).until(() -> cluster.pod(ns, "agent") == null);
    assertThat(leaseHeld(ns, "agent")).isFalse();
    assertThat(cluster.events(ns, "agent"))
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("RunFailed");
              assertThat(e.getType()).isEqualTo("Warning");
              assertThat(e.getMessage()).contains("exited with code 3");
            });
  }

  @Test
  void aRunWaitsForAnEphemeralSlotAndIsWokenWhenOneFrees() {
    String ns = cluster.namespace("run-slot");
    run(ns, "first", "sleep 3600");
    cluster.awaitPhase(ns, "first", ProjectPhase.Running);
    // The one ephemeral slot is taken; workspaces have slots of their own.
    cluster.create(project(ns, "workspace"));
    cluster.awaitPhase(ns, "workspace", ProjectPhase.Running);
    run(ns, "second", "sleep 3600");
    Project waiting = cluster.awaitPhase(ns, "second", ProjectPhase.WaitingForResources);
    assertThat(waiting.getStatus().getMessage())
        .isEqualTo("Waiting for resources: ephemeral runs: 1 of 1 allowed are running");
    assertThat(waiting.getStatus().getQueuePosition()).isEqualTo(1);
    assertThat(cluster.pod(ns, "second")).isNull();

    cluster.setDesiredState(ns, "first", DesiredState.Stopped);
    Project stopped = cluster.awaitPhase(ns, "first", ProjectPhase.Failed);
    assertThat(stopped.getStatus().getStopReason()).isEqualTo(StopReason.UserStopped);
    assertThat(stopped.getStatus().getExitCode()).isNull();
    cluster.awaitPhase(ns, "second", ProjectPhase.Running);
    await().atMost(MockCluster.TIMEOUT).until(() -> cluster.pod(ns, "first") == null);
    // A run stopped by its user stays finished, even when set to Running again.
    cluster.setDesiredState(ns, "first", DesiredState.Running);
    await()
        .during(Duration.ofMillis(700))
        .atMost(Duration.ofSeconds(5))
        .until(() -> cluster.pod(ns, "first") == null);
    assertThat(cluster.project(ns, "first").getStatus().getPhase()).isEqualTo(ProjectPhase.Failed);

    cluster.setDesiredState(ns, "second", DesiredState.Stopped);
    cluster.setDesiredState(ns, "workspace", DesiredState.Stopped);
    cluster.awaitPhase(ns, "second", ProjectPhase.Failed);
    await().atMost(MockCluster.TIMEOUT).until(() -> !leaseHeld(ns, "second"));
  }

  @Test
  void aRestartedOperatorCountsARunningRunAgainstTheEphemeralSlotsFromItsPod() {
    String ns = cluster.namespace("run-restart");
    run(ns, "held", "sleep 3600");
    cluster.awaitPhase(ns, "held", ProjectPhase.Running);
    cluster.run().restartOperator();
    await()
        .atMost(MockCluster.TIMEOUT)
        .until(
            () ->
                cluster
                    .run()
                    .operator()
                    .ledger()
                    .lease(new ProjectKey(ns, "held"))
                    .map(dev.quotient.admission.Lease::ephemeral)
                    .orElse(false));
    run(ns, "next", "exit 0");
    assertThat(
            cluster
                .awaitPhase(ns, "next", ProjectPhase.WaitingForResources)
                .getStatus()
                .getMessage())
        .isEqualTo("Waiting for resources: ephemeral runs: 1 of 1 allowed are running");
    cluster.setDesiredState(ns, "held", DesiredState.Stopped);
    cluster.awaitPhase(ns, "next", ProjectPhase.Succeeded);
    assertThat(cluster.project(ns, "held").getStatus().getStopReason())
        .isEqualTo(StopReason.UserStopped);
  }

  @Test
  void maxDurationEndsARunAsFailed() {
    String ns = cluster.namespace("run-max");
    run(
        ns,
        "long",
        "sleep 3600",
        p -> {
          p.getSpec().setAdminQuota(quota(null, null));
          p.getSpec().getAdminQuota().setMaxDuration("30m");
        });
    cluster.awaitPhase(ns, "long", ProjectPhase.Running);
    cluster.advance(Duration.ofMinutes(31));
    Project failed = cluster.awaitPhase(ns, "long", ProjectPhase.Failed);
    assertThat(failed.getStatus().getStopReason()).isEqualTo(StopReason.MaxDuration);
    assertThat(failed.getStatus().getMessage())
        .startsWith("Failed: Ran for its maximum duration of 30m without finishing");
    await().atMost(MockCluster.TIMEOUT).until(() -> cluster.pod(ns, "long") == null);
    await().atMost(MockCluster.TIMEOUT).until(() -> !leaseHeld(ns, "long"));
    assertThat(cluster.hasEvent(ns, "long", "MaxDuration")).isTrue();
  }

  @Test
  void theOperatorDeletesAFinishedRunAfterEphemeralRetention() {
    String ns = cluster.namespace("run-retention");
    run(ns, "short", "exit 0");
    cluster.awaitPhase(ns, "short", ProjectPhase.Succeeded);
    await().atMost(MockCluster.TIMEOUT).until(() -> cluster.pod(ns, "short") == null);
    cluster.advance(Duration.ofHours(23));
    await()
        .during(Duration.ofMillis(700))
        .atMost(Duration.ofSeconds(5))
        .until(() -> cluster.project(ns, "short") != null);
    cluster.advance(Duration.ofHours(2));
    await().atMost(MockCluster.TIMEOUT).until(() -> cluster.project(ns, "short") == null);
    assertThat(cluster.hasEvent(ns, "short", "RunRecordExpired")).isTrue();
  }
}
