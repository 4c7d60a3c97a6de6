package dev.quotient.controller;

import static dev.quotient.testing.TestResources.project;
import static dev.quotient.testing.TestResources.quota;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.admission.ProjectKey;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.QuotientLabels;
import dev.quotient.api.StopReason;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.testing.MockCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Idle stop, activity, maxDuration, always-running restart and the pending timeout, on an operator
 * whose clock only the test moves: no test sleeps to wait for a timer.
 */
class TimersIT {
  private static MockCluster cluster;

  @BeforeAll
  static void start() {
    Map<String, String> settings = new HashMap<>(EmbeddedRun.SETTINGS);
    settings.put("defaultQuota.idleTimeout", "");
    settings.put("pendingTimeout", "10m");
    settings.put("idleCheckInterval", "1m");
    cluster = MockCluster.startOnFakeClock(settings);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** Sets the activity annotation to the operator's now, and waits until the status shows it. */
  private static Instant touch(String ns, String name) {
    Instant when = cluster.now();
    cluster.editProject(
        ns,
        name,
        p -> {
          p.getMetadata()
              .setAnnotations(new HashMap<>(Map.of(QuotientLabels.LAST_ACTIVITY, when.toString())));
          return p;
        });
    cluster.awaitProject(ns, name, p -> when.toString().equals(p.getStatus().getLastActivity()));
    return when;
  }

  private static void idleTimeout(Project p, String timeout) {
    p.getSpec().setAdminQuota(quota(null, null));
    p.getSpec().getAdminQuota().setIdleTimeout(timeout);
  }

  @Test
  void idleProjectStopsAndNewActivityStartsItAgain() {
    String ns = cluster.namespace("idle");
    Project p = project(ns, "p");
    idleTimeout(p, "30m");
    cluster.create(p);
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    String uid = cluster.pod(ns, "p").getMetadata().getUid();
    cluster.advance(Duration.ofMinutes(29));
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> cluster.project(ns, "p").getStatus().getPhase() == ProjectPhase.Running);
    assertThat(cluster.pod(ns, "p").getMetadata().getUid()).isEqualTo(uid);

    cluster.advance(Duration.ofMinutes(2));
    Project stopped = cluster.awaitPhase(ns, "p", ProjectPhase.Stopped);
    assertThat(stopped.getStatus().getStopReason()).isEqualTo(StopReason.IdleTimeout);
    assertThat(stopped.getStatus().getMessage()).contains("Stopped (IdleTimeout)");
    await().until(() -> cluster.pod(ns, "p") == null);
    assertThat(cluster.hasEvent(ns, "p", "IdleTimeout")).isTrue();
    assertThat(cluster.run().operator().ledger().lease(new ProjectKey(ns, "p"))).isEmpty();

    // The user comes back five minutes later.
    cluster.advance(Duration.ofMinutes(5));
    touch(ns, "p");
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    assertThat(cluster.pod(ns, "p").getMetadata().getUid()).isNotEqualTo(uid);
  }

  @Test
  void activityKeepsAProjectRunningPastItsIdleTimeout() {
    String ns = cluster.namespace("active");
    Project p = project(ns, "p");
    idleTimeout(p, "30m");
    cluster.create(p);
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    String uid = cluster.pod(ns, "p").getMetadata().getUid();
    for (int i = 0; i < 3; i++) {
      touch(ns, "p");
      cluster.advance(Duration.ofMinutes(20));
    }
    // An hour after the start, with activity every 20 minutes: the same pod, never idle-stopped.
    touch(ns, "p");
    assertThat(cluster.project(ns, "p").getStatus().getPhase()).isEqualTo(ProjectPhase.Running);
    assertThat(cluster.pod(ns, "p").getMetadata().getUid()).isEqualTo(uid);
    assertThat(cluster.hasEvent(ns, "p", "IdleTimeout")).isFalse();
    // The timer was live all along: without activity it stops the project.
    cluster.advance(Duration.ofMinutes(31));
    assertThat(cluster.awaitPhase(ns, "p", ProjectPhase.Stopped).getStatus().getStopReason())
        .isEqualTo(StopReason.IdleTimeout);
  }

  @Test
  void maxDurationStopsAProjectAndRestartsAnAlwaysRunningOne() {
    String ns = cluster.namespace("maxdur");
    cluster.create(
        project(
            ns,
            "limited",
            s -> {
              s.setAdminQuota(quota(null, null));
              s.getAdminQuota().setMaxDuration("1h");
            }));
    cluster.create(
        project(
            ns,
            "kept",
            s -> {
              s.setAdminQuota(quota(null, null));
              s.getAdminQuota().setMaxDuration("1h");
              s.getAdminQuota().setAlwaysRunning(true);
            }));
    cluster.awaitPhase(ns, "kept", ProjectPhase.Running);
    cluster.awaitPhase(ns, "limited", ProjectPhase.Running);
    String firstUid = cluster.pod(ns, "kept").getMetadata().getUid();
    cluster.advance(Duration.ofMinutes(61));
    Project limited = cluster.awaitPhase(ns, "limited", ProjectPhase.Stopped);
    assertThat(limited.getStatus().getStopReason()).isEqualTo(StopReason.MaxDuration);
    await()
        .atMost(MockCluster.TIMEOUT)
        .until(
            () ->
                cluster.pod(ns, "kept") != null
                    && !cluster.pod(ns, "kept").getMetadata().getUid().equals(firstUid));
    cluster.awaitPhase(ns, "kept", ProjectPhase.Running);
    assertThat(cluster.hasEvent(ns, "kept", "MaxDuration")).isTrue();
    // Its new run counts from its own start: it is not stopped again at once.
    String secondUid = cluster.pod(ns, "kept").getMetadata().getUid();
    cluster.advance(Duration.ofMinutes(30));
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> secondUid.equals(cluster.pod(ns, "kept").getMetadata().getUid()));
  }

  /**
   * After a kube-apiserver restart (or any pause in a node's heartbeats) kube-controller-manager
   * sets Ready=False on every pod of the node, leaving ContainersReady as the kubelet reported it.
   * A project running longer than pendingTimeout must stay Running with its pod, not go back to
   * Starting and have its pod deleted as one that "did not start".
   */
  @Test
  void aRunningPodMarkedNotReadyByTheNodeControllerKeepsItsProjectRunning() {
    String ns = cluster.namespace("notready");
    cluster.create(project(ns, "p"));
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    String uid = cluster.pod(ns, "p").getMetadata().getUid();
    cluster.advance(Duration.ofMinutes(11));

    var pod = cluster.pod(ns, "p");
    pod.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .forEach(
            c -> {
              c.setStatus("False");
              c.setLastTransitionTime(cluster.now().toString());
            });
    cluster.client().pods().inNamespace(ns).resource(pod).updateStatus();
    // The operator has seen the pod once the status says anything else than before.
    cluster.awaitProject(ns, "p", x -> !"Running on pool-1".equals(x.getStatus().getMessage()));
    cluster.advance(Duration.ofMinutes(1));
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              Project seen = cluster.project(ns, "p");
              assertThat(seen.getStatus().getPhase()).isEqualTo(ProjectPhase.Running);
              assertThat(seen.getStatus().getMessage())
                  .isEqualTo(
                      "Running on pool-1 (the pod is marked not ready while its containers run:"
                          + " node pool-1 has not reported lately)");
              assertThat(ready(seen).getStatus()).isEqualTo("Unknown");
              assertThat(ready(seen).getReason()).isEqualTo("NodeNotReporting");
              assertThat(cluster.pod(ns, "p").getMetadata().getUid()).isEqualTo(uid);
            });

    // The node reports again: the kubelet sets Ready back, and so does the project.
    pod = cluster.pod(ns, "p");
    pod.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .forEach(c -> c.setStatus("True"));
    cluster.client().pods().inNamespace(ns).resource(pod).updateStatus();
    Project back = cluster.awaitProject(ns, "p", x -> "True".equals(ready(x).getStatus()));
    assertThat(back.getStatus().getMessage()).isEqualTo("Running on pool-1");
    assertThat(ready(back).getReason()).isEqualTo("PodRunning");
  }

  /**
   * A readiness gate (one a license's pod patch may add) that is not True yet: the kubelet says
   * Ready=False for ReadinessGatesNotReady while the containers run. The pod does not serve, so the
   * project shows Starting and why, and runs once the gate's condition is True.
   */
  @Test
  void aPodWaitingForItsReadinessGatesShowsStartingUntilTheyAreTrue() {
    String ns = cluster.namespace("gates");
    cluster.create(project(ns, "p"));
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);

    var pod = cluster.pod(ns, "p");
    pod.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .forEach(
            c -> {
              c.setStatus("False");
              c.setReason("ReadinessGatesNotReady");
              c.setMessage(
                  "corresponding condition of pod readiness gate \"lb.example.com/ready\" does"
                      + " not exist.");
            });
    cluster.client().pods().inNamespace(ns).resource(pod).updateStatus();
    Project waiting = cluster.awaitPhase(ns, "p", ProjectPhase.Starting);
    assertThat(waiting.getStatus().getMessage())
        .isEqualTo(
            "Pod running on pool-1, waiting for its readiness gates (corresponding condition of pod"
                + " readiness gate \"lb.example.com/ready\" does not exist.)");
    assertThat(ready(waiting).getStatus()).isEqualTo("False");

    pod = cluster.pod(ns, "p");
    pod.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .forEach(
            c -> {
              c.setStatus("True");
              c.setReason(null);
              c.setMessage(null);
            });
    cluster.client().pods().inNamespace(ns).resource(pod).updateStatus();
    assertThat(cluster.awaitPhase(ns, "p", ProjectPhase.Running).getStatus().getMessage())
        .isEqualTo("Running on pool-1");
  }

  private static io.fabric8.kubernetes.api.model.Condition ready(Project p) {
    return p.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aPodThatNeverStartsReleasesItsLeaseAndTheProjectRecoversWhenFixed() {
    String ns = cluster.namespace("pending");
    // 40Gi of requests fit the cluster quota but no project node.
    cluster.create(project(ns, "p", s -> s.setAdminQuota(quota(null, "200Gi"))));
    cluster.awaitProject(
        ns,
        "p",
        x ->
            x.getStatus() != null
                && x.getStatus().getMessage() != null
                && x.getStatus().getMessage().contains("Unschedulable"));
    cluster.advance(Duration.ofMinutes(11));
    Project failed = cluster.awaitPhase(ns, "p", ProjectPhase.Failed);
    assertThat(failed.getStatus().getStopReason()).isEqualTo(StopReason.PendingTimeout);
    assertThat(failed.getStatus().getMessage())
        .contains("did not start within 10m")
        .contains("Insufficient memory");
    await().until(() -> cluster.run().operator().ledger().lease(new ProjectKey(ns, "p")).isEmpty());

    cluster.editProject(
        ns,
        "p",
        p -> {
          p.getSpec().getAdminQuota().setMemory("2Gi");
          return p;
        });
    Project fixed = cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    assertThat(fixed.getStatus().getEffectiveQuota().getMemoryLimit()).isEqualTo("2Gi");
  }

  @Test
  void anAlwaysRunningProjectKeepsRunningWhenItsUserStopsItUntilTheLicenseIsRemoved() {
    String ns = cluster.namespace("always");
    cluster.create(
        project(
            ns,
            "p",
            s -> {
              s.setAdminQuota(quota(null, null));
              s.getAdminQuota().setAlwaysRunning(true);
            }));
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    String uid = cluster.pod(ns, "p").getMetadata().getUid();
    cluster.editProject(
        ns,
        "p",
        p -> {
          p.getSpec().setDesiredState(dev.quotient.api.DesiredState.Stopped);
          return p;
        });
    Project kept =
        cluster.awaitProject(
            ns,
            "p",
            x ->
                x.getStatus().getMessage() != null
                    && x.getStatus().getMessage().contains("makes this project alwaysRunning"));
    assertThat(kept.getStatus().getPhase()).isEqualTo(ProjectPhase.Running);
    assertThat(kept.getStatus().getMessage()).contains("spec.adminQuota").contains("remove that");
    assertThat(kept.getStatus().getEffectiveQuota().getAlwaysRunningBy())
        .isEqualTo("spec.adminQuota");
    assertThat(cluster.pod(ns, "p").getMetadata().getUid()).isEqualTo(uid);
    assertThat(cluster.hasEvent(ns, "p", "KeptRunning")).isTrue();

    cluster.editProject(
        ns,
        "p",
        p -> {
          p.getSpec().getAdminQuota().setAlwaysRunning(null);
          return p;
        });
    Project stopped = cluster.awaitPhase(ns, "p", ProjectPhase.Stopped);
    assertThat(stopped.getStatus().getStopReason()).isEqualTo(StopReason.UserStopped);
  }

  @Test
  void idleGpusStopAGpuProjectAndGpuActivityKeepsItRunning() {
    String ns = cluster.namespace("gpuidle");
    cluster.create(
        dev.quotient.testing.TestResources.license(
            "gpu-lab-" + ns,
            5,
            q -> {
              q.setGpu(new dev.quotient.api.GpuSpec());
              q.getGpu().setCount(1);
              // The simulated GPU node is not a project node: the license places on it.
              q.getGpu().setNodeSelector(Map.of("accelerator", "nvidia-a100"));
              q.setGpuIdleTimeout("45m");
            }));
    // This cluster's fake clock is hours ahead of the API server's creation times, so a project
    // would not wait the license grace for a License the operator has not seen yet: wait for it.
    await()
        .atMost(MockCluster.TIMEOUT)
        .until(
            () ->
                cluster.license("gpu-lab-" + ns).getStatus() != null
                    && cluster.license("gpu-lab-" + ns).getStatus().getPhase() != null);
    cluster.create(project(ns, "idle-gpu", "gpu-lab-" + ns));
    // A GPU-metrics agent saw this one busy: it says so in the annotation (here, half an hour on).
    Project busy = project(ns, "busy-gpu", "gpu-lab-" + ns);
    busy.getMetadata()
        .setAnnotations(
            Map.of(
                QuotientLabels.GPU_LAST_ACTIVITY,
                cluster.now().plus(Duration.ofMinutes(30)).toString()));
    cluster.create(busy);
    assertThat(cluster.awaitPhase(ns, "idle-gpu", ProjectPhase.Running).getStatus().getNodeName())
        .isEqualTo("gpu-1");
    cluster.awaitPhase(ns, "busy-gpu", ProjectPhase.Running);
    assertThat(cluster.project(ns, "idle-gpu").getStatus().getEffectiveQuota().getGpuIdleTimeout())
        .isEqualTo("45m");

    cluster.advance(Duration.ofMinutes(46));
    Project stopped = cluster.awaitPhase(ns, "idle-gpu", ProjectPhase.Stopped);
    assertThat(stopped.getStatus().getStopReason()).isEqualTo(StopReason.GpuIdle);
    assertThat(cluster.hasEvent(ns, "idle-gpu", "GpuIdle")).isTrue();
    assertThat(cluster.project(ns, "busy-gpu").getStatus().getPhase())
        .isEqualTo(ProjectPhase.Running);

    cluster.advance(Duration.ofMinutes(30));
    assertThat(cluster.awaitPhase(ns, "busy-gpu", ProjectPhase.Stopped).getStatus().getStopReason())
        .isEqualTo(StopReason.GpuIdle);
  }
}
