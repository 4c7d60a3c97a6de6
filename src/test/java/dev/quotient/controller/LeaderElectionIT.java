package dev.quotient.controller;

import static dev.quotient.testing.TestResources.project;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.ProjectPhase;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.testing.MockCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Two replicas against one API server: only the leader acts; the standby takes over when it stops.
 */
class LeaderElectionIT {

  private static QuotientOperator replica(MockCluster cluster, String identity) {
    var le =
        new LeaderElection(
            identity, Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(500), false);
    return QuotientOperator.start(
        cluster.run().api().newClient(),
        OperatorConfig.defaults(EmbeddedRun.NAMESPACE).withLeaderElection(le));
  }

  @Test
  void onlyTheLeaderCreatesPodsAndTheStandbyTakesOver() {
    try (MockCluster cluster = MockCluster.start()) {
      cluster.run().operator().close();
      QuotientOperator a = replica(cluster, "replica-a");
      await()
          .atMost(MockCluster.TIMEOUT)
          .until(
              () ->
                  cluster
                          .client()
                          .leases()
                          .inNamespace(EmbeddedRun.NAMESPACE)
                          .withName(QuotientOperator.LEASE_NAME)
                          .get()
                      != null);
      QuotientOperator b = replica(cluster, "replica-b");
      try {
        String ns = cluster.namespace("leader");
        cluster.create(project(ns, "first"));
        cluster.awaitPhase(ns, "first", ProjectPhase.Running);
        assertThat(
                cluster
                    .client()
                    .leases()
                    .inNamespace(EmbeddedRun.NAMESPACE)
                    .withName(QuotientOperator.LEASE_NAME)
                    .get()
                    .getSpec()
                    .getHolderIdentity())
            .isEqualTo("replica-a");
        assertThat(cluster.client().pods().inNamespace(ns).list().getItems()).hasSize(1);
        assertThat(
                cluster.events(ns, "first").stream()
                    .filter(e -> "PodCreated".equals(e.getReason())))
            .hasSize(1);
        // The standby's ledger is warm: it saw the pod through its own informer.
        await().until(() -> b.ledger().size() == 1);

        a.close();
        cluster.create(project(ns, "second"));
        cluster.awaitPhase(ns, "second", ProjectPhase.Running);
        assertThat(
                cluster
                    .client()
                    .leases()
                    .inNamespace(EmbeddedRun.NAMESPACE)
                    .withName(QuotientOperator.LEASE_NAME)
                    .get()
                    .getSpec()
                    .getHolderIdentity())
            .isEqualTo("replica-b");
        assertThat(cluster.client().pods().inNamespace(ns).list().getItems()).hasSize(2);
        assertThat(b.ledger().size()).isEqualTo(2);
      } finally {
        b.close();
      }
    }
  }

  /**
   * A kube-apiserver restart as the real control plane showed it: about 15 s in which the leader
   * cannot renew its lease (the old server drains, the new one refuses with 403 until its RBAC
   * caches fill). With client-go's usual 10 s renew deadline the leader gave up mid-outage, which
   * in production exits the process; with the production timings it keeps leading and serving.
   */
  @Test
  void theLeaderRidesOutFifteenSecondsWithoutTheApiServer() throws Exception {
    try (MockCluster cluster = MockCluster.start()) {
      cluster.run().operator().close();
      var production = LeaderElection.production("replica-a");
      // Not exiting on a lost lease (it would end this JVM): readiness says who leads instead.
      var le =
          new LeaderElection(
              "replica-a",
              production.leaseDuration(),
              production.renewDeadline(),
              production.retryPeriod(),
              false);
      QuotientOperator a =
          QuotientOperator.start(
              cluster.run().api().newClient(),
              OperatorConfig.defaults(EmbeddedRun.NAMESPACE)
                  .withLeaderElection(le)
                  .withMetricsPort(0));
      try {
        String leader = "200 ready: leader (replica-a)\n";
        await()
            .atMost(MockCluster.TIMEOUT)
            .until(() -> OperatorHealthTest.get(a.metricsPort(), "/readyz").equals(leader));
        cluster
            .faults()
            .refuseFor(
                r -> r.contains("/apis/coordination.k8s.io/v1/namespaces/"),
                403,
                "leases.coordination.k8s.io \"quotient-operator\" is forbidden",
                Duration.ofSeconds(15));
        long outageEnds = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < outageEnds + Duration.ofSeconds(3).toNanos()) {
          assertThat(OperatorHealthTest.get(a.metricsPort(), "/readyz")).isEqualTo(leader);
          Thread.sleep(250);
        }
        String ns = cluster.namespace("outage");
        cluster.create(project(ns, "after"));
        cluster.awaitPhase(ns, "after", ProjectPhase.Running);
      } finally {
        a.close();
      }
    }
  }
}
