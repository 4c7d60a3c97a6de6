package dev.quotient.controller;

import static dev.quotient.controller.OperatorHealthTest.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.testing.MockCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** /healthz and /readyz of operators on the mock API server, alone and as two replicas. */
class HealthIT {
  @Test
  void aStartedOperatorIsAliveAndReady() throws Exception {
    try (MockCluster cluster = MockCluster.start()) {
      int port = cluster.run().operator().metricsPort();
      assertThat(get(port, "/healthz")).isEqualTo("200 ok\n");
      assertThat(get(port, "/readyz")).isEqualTo("200 ready\n");
    }
  }

  @Test
  void theStandbyIsReadyTooAndSaysSoUntilItLeads() throws Exception {
    try (MockCluster cluster = MockCluster.start()) {
      cluster.run().operator().close();
      QuotientOperator a = replica(cluster, "replica-a");
      await()
          .atMost(MockCluster.TIMEOUT)
          .until(() -> get(a.metricsPort(), "/readyz").equals("200 ready: leader (replica-a)\n"));
      QuotientOperator b = replica(cluster, "replica-b");
      try {
        await()
            .atMost(MockCluster.TIMEOUT)
            .until(
                () ->
                    get(b.metricsPort(), "/readyz")
                        .equals("200 ready: standby (replica-b; leader: replica-a)\n"));
        assertThat(get(b.metricsPort(), "/healthz")).isEqualTo("200 ok\n");
        a.close();
        await()
            .atMost(MockCluster.TIMEOUT)
            .until(() -> get(b.metricsPort(), "/readyz").equals("200 ready: leader (replica-b)\n"));
      } finally {
        b.close();
      }
    }
  }

  private static QuotientOperator replica(MockCluster cluster, String identity) {
    var le =
        new LeaderElection(
            identity, Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(500), false);
    return QuotientOperator.start(
        cluster.run().api().newClient(),
        OperatorConfig.defaults(EmbeddedRun.NAMESPACE).withLeaderElection(le).withMetricsPort(0));
  }
}
