package dev.quotient.controller;

import static dev.quotient.testing.TestResources.license;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.LicensePhase;
import dev.quotient.testing.MockCluster;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** License phases follow the window without any other event: the reconciler reschedules itself. */
class LicenseReconcilerIT {
  private static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = MockCluster.start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void licenseBecomesActiveAtActivatesAndExpiredAtExpires() {
    Instant now = Instant.now();
    var l = license("window", 3, q -> q.setCpu("2"));
    l.getSpec().setActivates(now.plusSeconds(2).toString());
    l.getSpec().setExpires(now.plusSeconds(4).toString());
    cluster.create(l);
    await().atMost(Duration.ofSeconds(5)).until(() -> phase("window") == LicensePhase.Pending);
    await().atMost(Duration.ofSeconds(8)).until(() -> phase("window") == LicensePhase.Active);
    await().atMost(Duration.ofSeconds(8)).until(() -> phase("window") == LicensePhase.Expired);
    assertThat(cluster.hasEvent("default", "window", "LicenseExpired")).isTrue();
    assertThat(cluster.license("window").getStatus().getObservedGeneration()).isEqualTo(1L);
  }

  @Test
  void perpetualLicenseIsActiveAndValid() {
    cluster.create(license("perpetual", 3, q -> q.setMemory("2Gi")));
    await().atMost(MockCluster.TIMEOUT).until(() -> phase("perpetual") == LicensePhase.Active);
    var status = cluster.license("perpetual").getStatus();
    assertThat(status.getRunningProjects().getCount()).isZero();
    assertThat(status.getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Valid");
              assertThat(c.getStatus()).isEqualTo("True");
            });
  }

  private static LicensePhase phase(String name) {
    var l = cluster.license(name);
    return l == null || l.getStatus() == null ? null : l.getStatus().getPhase();
  }
}
