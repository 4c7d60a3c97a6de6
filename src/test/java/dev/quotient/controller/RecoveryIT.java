package dev.quotient.controller;

import static dev.quotient.testing.TestResources.license;
import static dev.quotient.testing.TestResources.project;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.admission.Lease;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.testing.MockCluster;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What happens after an operator restart, a lost node or a deleted project. */
class RecoveryIT {

  @Test
  void restartedOperatorRebuildsTheSameLedgerAndCreatesNoSecondPod() {
    try (MockCluster cluster = MockCluster.start()) {
      String ns = cluster.namespace("restart");
      cluster.create(license("restart-seat", 2, q -> q.setMemory("2Gi")));
      for (int i = 0; i < 5; i++) {
        cluster.create(project(ns, "p" + i, "restart-seat"));
      }
      for (int i = 0; i < 5; i++) {
        cluster.awaitPhase(ns, "p" + i, ProjectPhase.Running);
      }
      List<Lease> before = sorted(cluster.run().operator().ledger().snapshot().leases());
      var uids =
          cluster.client().pods().inNamespace(ns).list().getItems().stream()
              .map(p -> p.getMetadata().getUid())
              .sorted()
              .toList();

      var restarted = restart(cluster);
      try {
        await().atMost(MockCluster.TIMEOUT).until(() -> restarted.ledger().size() == before.size());
        assertThat(sorted(restarted.ledger().snapshot().leases())).isEqualTo(before);
        assertThat(restarted.ledger().licenseUse("restart-seat", null)).isEqualTo(2);
        // A new project still finds the license's run limit taken.
        cluster.create(project(ns, "late", "restart-seat"));
        Project late = cluster.awaitPhase(ns, "late", ProjectPhase.Running);
        assertThat(late.getStatus().getLicenses().get(0).getState().name())
            .isEqualTo("RunLimitReached");
        assertThat(
                cluster.client().pods().inNamespace(ns).list().getItems().stream()
                    .filter(p -> !p.getMetadata().getName().equals("project-late"))
                    .map(p -> p.getMetadata().getUid())
                    .sorted()
                    .toList())
            .isEqualTo(uids);
      } finally {
        restarted.close();
      }
    }
  }

  @Test
  void afterARestartAPodThatBelongsToNoProjectHoldsNoLease() {
    // the cluster quota leaves room for one default project (100m of cpu requests)
    Map<String, String> settings = new java.util.HashMap<>(EmbeddedRun.SETTINGS);
    settings.put("clusterQuota.cpu", "150m");
    try (MockCluster cluster = MockCluster.start(settings)) {
      String ns = cluster.namespace("forged");
      cluster.run().operator().close();
      // While the operator is away, pods with a lease's labels appear (the mock has no admission
      // policy to refuse them): one owned by no Project, one by a Project that does not exist.
      cluster.create(forged(ns, "ghost", null));
      cluster.create(forged(ns, "phantom", "00000000-dead-beef-0000-000000000000"));
      var restarted =
          QuotientOperator.start(
              cluster.run().api().newClient(), OperatorConfig.defaults(EmbeddedRun.NAMESPACE));
      try {
        cluster.create(project(ns, "newcomer"));
        cluster.awaitPhase(ns, "newcomer", ProjectPhase.Running);
        assertThat(cluster.events(ns, "newcomer"))
            .noneMatch(
                e -> e.getReason().equals("QuotaRejected") || e.getReason().equals("NeverFits"));
        assertThat(restarted.ledger().snapshot().leases())
            .extracting(l -> l.project().name())
            .containsExactly("newcomer");
        // the pod of a Project that does not exist is deleted, the other one is not ours to delete
        await().atMost(MockCluster.TIMEOUT).until(() -> cluster.pod(ns, "phantom") == null);
        assertThat(cluster.pod(ns, "ghost")).isNotNull();
      } finally {
        restarted.close();
      }
    }
  }

  /**
   * A pod carrying the labels of a 64-core lease, owned by Project {@code name} when uid is set.
   */
  private static io.fabric8.kubernetes.api.model.Pod forged(String ns, String name, String uid) {
    var meta =
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withName("project-" + name)
            .withNamespace(ns)
            .withLabels(
                Map.of(
                    "app.kubernetes.io/managed-by", "quotient",
                    "quotient.dev/project", name,
                    "quotient.dev/cpu-millis", "64000",
                    "quotient.dev/memory-bytes", "1073741824",
                    "quotient.dev/gpu", "0"));
    if (uid != null) {
      meta.withOwnerReferences(
          new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
              .withApiVersion("quotient.dev/v1alpha1")
              .withKind("Project")
              .withName(name)
              .withUid(uid)
              .withController(true)
              .build());
    }
    return new io.fabric8.kubernetes.api.model.PodBuilder()
        .withMetadata(meta.build())
        .withNewSpec()
        .addNewContainer()
        .withName("main")
        .withImage("registry.k8s.io/pause:3.10")
        .endContainer()
        .endSpec()
        .build();
  }

  @Test
  void alwaysRunningProjectIsRestartedElsewhereWhenItsNodeIsLost() {
    try (MockCluster cluster = MockCluster.start()) {
      String ns = cluster.namespace("nodeloss");
      // Both projects on pool-1: pool-2 is cordoned while they start.
      cordon(cluster, "pool-2", true);
      cluster.create(license("keep-running", 5, q -> q.setAlwaysRunning(true)));
      cluster.create(project(ns, "kept", "keep-running"));
      cluster.create(project(ns, "plain"));
      assertThat(cluster.awaitPhase(ns, "kept", ProjectPhase.Running).getStatus().getNodeName())
          .isEqualTo("pool-1");
      assertThat(cluster.awaitPhase(ns, "plain", ProjectPhase.Running).getStatus().getNodeName())
          .isEqualTo("pool-1");
      cordon(cluster, "pool-2", false);

      cluster.run().cluster().loseNode("pool-1");
      Project kept =
          cluster.awaitProject(
              ns,
              "kept",
              p ->
                  p.getStatus().getPhase() == ProjectPhase.Running
                      && "pool-2".equals(p.getStatus().getNodeName()));
      assertThat(cluster.hasEvent(ns, "kept", "NodeLost")).isTrue();
      Project plain = cluster.awaitPhase(ns, "plain", ProjectPhase.Failed);
      assertThat(plain.getStatus().getStopReason()).isEqualTo(dev.quotient.api.StopReason.NodeLost);
      assertThat(plain.getStatus().getMessage()).contains("NodeLost");
      await().until(() -> cluster.pod(ns, "plain") == null);
    }
  }

  private static void cordon(MockCluster cluster, String node, boolean unschedulable) {
    cluster
        .client()
        .nodes()
        .withName(node)
        .edit(
            n -> {
              if (n.getSpec() == null) {
                n.setSpec(new io.fabric8.kubernetes.api.model.NodeSpec());
              }
              n.getSpec().setUnschedulable(unschedulable ? Boolean.TRUE : null);
              return n;
            });
  }

  @Test
  void deletedProjectLosesItsPodAndReleasesItsLease() {
    try (MockCluster cluster = MockCluster.start()) {
      String ns = cluster.namespace("delete");
      cluster.create(project(ns, "gone"));
      cluster.awaitPhase(ns, "gone", ProjectPhase.Running);
      assertThat(cluster.run().operator().ledger().size()).isEqualTo(1);
      cluster.client().resources(Project.class).inNamespace(ns).withName("gone").delete();
      await()
          .atMost(MockCluster.TIMEOUT)
          .until(
              () ->
                  cluster.pod(ns, "gone") == null && cluster.run().operator().ledger().size() == 0);
    }
  }

  private static QuotientOperator restart(MockCluster cluster) {
    cluster.run().operator().close();
    return QuotientOperator.start(
        cluster.run().api().newClient(), OperatorConfig.defaults(EmbeddedRun.NAMESPACE));
  }

  private static List<Lease> sorted(List<Lease> leases) {
    return leases.stream().sorted(Comparator.comparing(l -> l.project().toString())).toList();
  }
}
