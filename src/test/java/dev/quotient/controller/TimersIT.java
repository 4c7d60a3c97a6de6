package dev.quotient.controller;

import static dev.quotient.testing.TestResources.project;
import static dev.quotient.testing.TestResources.quota;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.QuotientLabels;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.testing.MockCluster;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Idle stop, activity restart, maxDuration, always-running restart and the pending timeout. */
class TimersIT {
  private static MockCluster cluster;

  @BeforeAll
  static void start() {
    Map<String, String> settings = new HashMap<>(EmbeddedRun.SETTINGS);
    settings.put("defaultQuota.idleTimeout", "");
    settings.put("pendingTimeout", "3s");
    settings.put("idleCheckInterval", "1s");
    cluster = MockCluster.start(settings);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static void touch(String ns, String name, Instant when) {
    cluster.editProject(
        ns,
        name,
        p -> {
          p.getMetadata()
              .setAnnotations(new HashMap<>(Map.of(QuotientLabels.LAST_ACTIVITY, when.toString())));
          return p;
        });
  }

  @Test
  void idleProjectStopsAndNewActivityStartsItAgain() {
    String ns = cluster.namespace("idle");
    cluster.create(
        project(
            ns,
            "p",
            s -> {
              s.setAdminQuota(quota(null, null));
              s.getAdminQuota().setIdleTimeout("3s");
            }));
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    Project stopped = cluster.awaitPhase(ns, "p", ProjectPhase.Stopped);
    assertThat(stopped.getStatus().getStopReason()).isEqualTo("IdleTimeout");
    assertThat(cluster.pod(ns, "p")).isNull();
    assertThat(cluster.hasEvent(ns, "p", "IdleTimeout")).isTrue();
    assertThat(
            cluster.run().operator().ledger().lease(new dev.quotient.admission.ProjectKey(ns, "p")))
        .isEmpty();

    touch(ns, "p", Instant.now());
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    assertThat(cluster.project(ns, "p").getStatus().getLastActivity()).isNotNull();
  }

  @Test
  void activityKeepsAProjectRunningPastItsIdleTimeout() throws Exception {
    String ns = cluster.namespace("active");
    cluster.create(
        project(
            ns,
            "p",
            s -> {
              s.setAdminQuota(quota(null, null));
              s.getAdminQuota().setIdleTimeout("4s");
            }));
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    for (int i = 0; i < 6; i++) {
      touch(ns, "p", Instant.now());
      Thread.sleep(1000);
    }
    assertThat(cluster.project(ns, "p").getStatus().getPhase()).isEqualTo(ProjectPhase.Running);
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
              s.getAdminQuota().setMaxDuration("3s");
            }));
    cluster.create(
        project(
            ns,
            "kept",
            s -> {
              s.setAdminQuota(quota(null, null));
              s.getAdminQuota().setMaxDuration("3s");
              s.getAdminQuota().setAlwaysRunning(true);
            }));
    cluster.awaitPhase(ns, "kept", ProjectPhase.Running);
    String firstUid = cluster.pod(ns, "kept").getMetadata().getUid();
    Project limited = cluster.awaitPhase(ns, "limited", ProjectPhase.Stopped);
    assertThat(limited.getStatus().getStopReason()).isEqualTo("MaxDuration");
    await()
        .atMost(MockCluster.TIMEOUT)
        .until(
            () ->
                cluster.pod(ns, "kept") != null
                    && !cluster.pod(ns, "kept").getMetadata().getUid().equals(firstUid));
    assertThat(cluster.hasEvent(ns, "kept", "MaxDuration")).isTrue();
  }

  @Test
  void aPodThatNeverStartsReleasesItsLeaseAndTheProjectRecoversWhenFixed() {
    String ns = cluster.namespace("pending");
    // 40Gi of requests fit the cluster quota but no project node.
    cluster.create(project(ns, "p", s -> s.setAdminQuota(quota(null, "200Gi"))));
    Project failed = cluster.awaitPhase(ns, "p", ProjectPhase.Failed);
    assertThat(failed.getStatus().getStopReason()).isEqualTo("PendingTimeout");
    assertThat(failed.getStatus().getMessage())
        .contains("did not start within 3s")
        .contains("Insufficient memory");
    await()
        .until(
            () ->
                cluster
                    .run()
                    .operator()
                    .ledger()
                    .lease(new dev.quotient.admission.ProjectKey(ns, "p"))
                    .isEmpty());

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
}
