package dev.quotient.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.ProjectPhase;
import dev.quotient.api.QuotientLabels;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.prepull.PrepullDaemonSet;
import dev.quotient.prepull.PrepullGate;
import dev.quotient.testing.MockCluster;
import dev.quotient.testing.TestResources;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Prepull through the real operator on the mock API server. The mock runs no DaemonSet controller,
 * so the test plays it (one pod of the DaemonSet's current template per gated node, which the
 * simulated kubelet makes Ready); what is checked is what the operator does: the DaemonSet, the
 * taint, lifting it once the pod is Ready, gating again for a new image without touching running
 * projects, and cleaning up when switched off.
 */
class PrepullIT {
  private static final String NS = EmbeddedRun.NAMESPACE;
  private static final String OLD = "quay.io/jupyter/base-notebook:latest";
  private static final String NEW = "quay.io/jupyter/base-notebook:2026-12-01";
  private static final Taint GPU =
      new TaintBuilder()
          .withKey("nvidia.com/gpu")
          .withValue("present")
          .withEffect("NoSchedule")
          .build();

  @Test
  void gatesProjectNodesUntilTheirImagesArePulledAndAgainForANewImage() {
    try (MockCluster cluster = MockCluster.start()) {
      String ns = cluster.namespace("prepull");
      // Off (the default): no DaemonSet, no gate.
      cluster.create(TestResources.project(ns, "before"));
      Pod running = podOf(cluster, cluster.awaitPhase(ns, "before", ProjectPhase.Running));
      assertThat(running.getMetadata().getLabels())
          .containsEntry(QuotientLabels.IMAGE_TAG, "latest");
      assertThat(daemonSet(cluster)).isNull();

      // On: the existing project nodes are gated too (their running pods stay), gpu-1 (no
      // project-node label, in no group) is not.
      edit(cluster, Map.of("prepull.enabled", "true"));
      awaitDaemonSet(cluster, ds -> OLD.equals(images(ds)));
      awaitNode(cluster, "pool-1", PrepullGate::gated);
      awaitNode(cluster, "pool-2", PrepullGate::gated);
      assertThat(PrepullGate.gated(node(cluster, "gpu-1"))).isFalse();
      assertThat(node(cluster, "gpu-1").getSpec().getTaints()).containsExactly(GPU);
      assertThat(cluster.hasEvent("default", "pool-1", "PrepullPending")).isTrue();
      // A project that only gated nodes could take waits for a gate, saying so.
      cluster.create(TestResources.project(ns, "waits"));
      var waiting =
          cluster.awaitProject(
              ns,
              "waits",
              p ->
                  p.getStatus() != null
                      && p.getStatus().getMessage() != null
                      && p.getStatus().getMessage().startsWith("Unschedulable"));
      assertThat(waiting.getStatus().getPhase()).isEqualTo(ProjectPhase.Starting);
      assertThat(waiting.getStatus().getMessage())
          .contains("untolerated taint {quotient.dev/prepull: pending}");

      // The prepull pod of pool-1 is Ready: its gate opens; pool-2's stays until its own is.
      runPrepullPod(cluster, "pool-1");
      awaitNode(cluster, "pool-1", n -> !PrepullGate.gated(n) && OLD.equals(prepulled(n)));
      assertThat(PrepullGate.gated(node(cluster, "pool-2"))).isTrue();
      await()
          .atMost(MockCluster.TIMEOUT)
          .until(() -> cluster.hasEvent("default", "pool-1", "Prepulled"));
      assertThat(cluster.awaitPhase(ns, "waits", ProjectPhase.Running).getStatus().getNodeName())
          .isEqualTo("pool-1");
      runPrepullPod(cluster, "pool-2");
      awaitNode(cluster, "pool-2", n -> !PrepullGate.gated(n));

      // A node joins: gated, its other taint kept; then released.
      cluster.create(
          new NodeBuilder()
              .withNewMetadata()
              .withName("pool-3")
              .withLabels(Map.of("quotient.dev/project-node", "true"))
              .endMetadata()
              .withNewSpec()
              .withTaints(GPU)
              .endSpec()
              .withNewStatus()
              .addToAllocatable("cpu", new io.fabric8.kubernetes.api.model.Quantity("8"))
              .addToAllocatable("memory", new io.fabric8.kubernetes.api.model.Quantity("32Gi"))
              .addNewCondition()
              .withType("Ready")
              .withStatus("True")
              .endCondition()
              .endStatus()
              .build());
      awaitNode(cluster, "pool-3", PrepullGate::gated);
      assertThat(node(cluster, "pool-3").getSpec().getTaints()).contains(GPU).hasSize(2);
      runPrepullPod(cluster, "pool-3");
      awaitNode(cluster, "pool-3", n -> !PrepullGate.gated(n));
      assertThat(node(cluster, "pool-3").getSpec().getTaints()).containsExactly(GPU);

      // A new default image: the DaemonSet's pods roll to it and every project node is gated
      // again; the project running on the old image keeps its pod.
      String oldHash = hash(daemonSet(cluster));
      edit(cluster, Map.of("prepull.enabled", "true", "pod.defaultImage", NEW));
      awaitDaemonSet(cluster, ds -> NEW.equals(images(ds)));
      assertThat(hash(daemonSet(cluster))).isNotEqualTo(oldHash);
      for (String n : List.of("pool-1", "pool-2", "pool-3")) {
        awaitNode(cluster, n, PrepullGate::gated);
        // the old pod, Ready as it is, pulled the old image: it does not open the gate
        assertThat(prepulled(node(cluster, n))).isEqualTo(OLD);
      }
      Pod still = podOf(cluster, cluster.project(ns, "before"));
      assertThat(still.getMetadata().getUid()).isEqualTo(running.getMetadata().getUid());
      assertThat(cluster.project(ns, "before").getStatus().getPhase())
          .isEqualTo(ProjectPhase.Running);
      for (String n : List.of("pool-1", "pool-2", "pool-3")) {
        runPrepullPod(cluster, n);
        awaitNode(cluster, n, node -> !PrepullGate.gated(node) && NEW.equals(prepulled(node)));
      }
      // Admins find the pods still on the old image by its tag; a new project gets the new one.
      assertThat(
              cluster
                  .client()
                  .pods()
                  .inNamespace(ns)
                  .withLabel(QuotientLabels.IMAGE_TAG, "latest")
                  .list()
                  .getItems())
          .extracting(p -> p.getMetadata().getName())
          .containsExactlyInAnyOrder("project-before", "project-waits");
      cluster.create(TestResources.project(ns, "after"));
      Pod fresh = podOf(cluster, cluster.awaitPhase(ns, "after", ProjectPhase.Running));
      assertThat(fresh.getMetadata().getLabels())
          .containsEntry(QuotientLabels.IMAGE_TAG, "2026-12-01");

      // Off again: every gate and record goes, other taints stay, the DaemonSet is deleted.
      edit(cluster, Map.of("pod.defaultImage", NEW));
      runPrepullPod(cluster, "pool-1"); // a pod that was about to open a gate changes nothing
      await().atMost(MockCluster.TIMEOUT).until(() -> daemonSet(cluster) == null);
      for (String n : List.of("pool-1", "pool-2", "pool-3")) {
        awaitNode(cluster, n, node -> !PrepullGate.gated(node) && prepulled(node) == null);
      }
      assertThat(node(cluster, "pool-3").getSpec().getTaints()).containsExactly(GPU);
      assertThat(cluster.project(ns, "before").getStatus().getPhase())
          .isEqualTo(ProjectPhase.Running);
    }
  }

  /**
   * The operator is down while prepull is switched off (or it was stopped halfway through a pass):
   * the next one finds the gates and the DaemonSet on the cluster and removes them; switched on
   * again, a node gated before the restart opens once its pod is Ready.
   */
  @Test
  void aRestartedOperatorFinishesWhatItsPredecessorLeft() {
    try (MockCluster cluster = MockCluster.start()) {
      edit(cluster, Map.of("prepull.enabled", "true"));
      awaitNode(cluster, "pool-1", PrepullGate::gated);
      awaitNode(cluster, "pool-2", PrepullGate::gated);
      runPrepullPod(cluster, "pool-1");
      awaitNode(cluster, "pool-1", n -> !PrepullGate.gated(n));

      cluster.run().killOperator();
      runPrepullPod(cluster, "pool-2"); // Ready while no operator looks
      cluster.run().startOperator();
      awaitNode(cluster, "pool-2", n -> !PrepullGate.gated(n) && OLD.equals(prepulled(n)));

      cluster.run().killOperator();
      edit(cluster, Map.of());
      cluster.run().startOperator();
      await().atMost(MockCluster.TIMEOUT).until(() -> daemonSet(cluster) == null);
      for (String n : List.of("pool-1", "pool-2")) {
        awaitNode(cluster, n, node -> !PrepullGate.gated(node) && prepulled(node) == null);
      }
    }
  }

  /** Two replicas: the leader gates; the standby, once it leads, gates a node that joins then. */
  @Test
  void onlyTheLeaderGatesAndTheStandbyTakesOver() {
    try (MockCluster cluster = MockCluster.start()) {
      cluster.run().operator().close();
      edit(cluster, Map.of("prepull.enabled", "true"));
      QuotientOperator a = replica(cluster, "replica-a");
      await()
          .atMost(MockCluster.TIMEOUT)
          .until(
              () ->
                  cluster
                          .client()
                          .leases()
                          .inNamespace(NS)
                          .withName(QuotientOperator.LEASE_NAME)
                          .get()
                      != null);
      QuotientOperator b = replica(cluster, "replica-b");
      try {
        awaitNode(cluster, "pool-1", PrepullGate::gated);
        runPrepullPod(cluster, "pool-1");
        awaitNode(cluster, "pool-1", n -> !PrepullGate.gated(n));
        a.close();
        cluster.create(
            new NodeBuilder()
                .withNewMetadata()
                .withName("pool-5")
                .withLabels(Map.of("quotient.dev/project-node", "true"))
                .endMetadata()
                .build());
        awaitNode(cluster, "pool-5", PrepullGate::gated);
        runPrepullPod(cluster, "pool-5");
        awaitNode(cluster, "pool-5", n -> !PrepullGate.gated(n) && OLD.equals(prepulled(n)));
        assertThat(
                cluster
                    .client()
                    .leases()
                    .inNamespace(NS)
                    .withName(QuotientOperator.LEASE_NAME)
                    .get()
                    .getSpec()
                    .getHolderIdentity())
            .isEqualTo("replica-b");
      } finally {
        a.close();
        b.close();
      }
    }
  }

  private static QuotientOperator replica(MockCluster cluster, String identity) {
    var le =
        new LeaderElection(
            identity, Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(500), false);
    return QuotientOperator.start(
        cluster.run().api().newClient(), OperatorConfig.defaults(NS).withLeaderElection(le));
  }

  private static void edit(MockCluster cluster, Map<String, String> prepull) {
    Map<String, String> data = new HashMap<>(EmbeddedRun.SETTINGS);
    data.putAll(prepull);
    cluster
        .client()
        .configMaps()
        .inNamespace(NS)
        .withName("quotient-settings")
        .edit(
            cm -> {
              cm.setData(data);
              return cm;
            });
  }

  /**
   * What the DaemonSet controller and the scheduler would do for one node: a pod of the current
   * template bound to it (the simulated kubelet then makes it Ready), and the pods of older
   * templates there deleted.
   */
  private static void runPrepullPod(MockCluster cluster, String nodeName) {
    DaemonSet ds = daemonSet(cluster);
    var pods = cluster.client().pods().inNamespace(NS);
    pods.withLabels(PrepullDaemonSet.selector()).list().getItems().stream()
        .filter(p -> nodeName.equals(p.getSpec().getNodeName()))
        .forEach(p -> pods.resource(p).delete());
    if (ds == null) {
      return;
    }
    pods.resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(PrepullDaemonSet.NAME + "-" + nodeName + "-" + hash(ds))
                .withNamespace(NS)
                .withLabels(ds.getSpec().getTemplate().getMetadata().getLabels())
                .withAnnotations(ds.getSpec().getTemplate().getMetadata().getAnnotations())
                .endMetadata()
                .withSpec(
                    new io.fabric8.kubernetes.api.model.PodSpecBuilder(
                            ds.getSpec().getTemplate().getSpec())
                        .withNodeName(nodeName)
                        .build())
                .build())
        .create();
  }

  private static DaemonSet daemonSet(MockCluster cluster) {
    return cluster
        .client()
        .apps()
        .daemonSets()
        .inNamespace(NS)
        .withName(PrepullDaemonSet.NAME)
        .get();
  }

  private static void awaitDaemonSet(MockCluster cluster, Predicate<DaemonSet> condition) {
    await()
        .atMost(MockCluster.TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              DaemonSet ds = daemonSet(cluster);
              return ds != null && condition.test(ds);
            });
  }

  private static String images(DaemonSet ds) {
    return ds.getMetadata().getAnnotations().get(PrepullDaemonSet.IMAGES_ANNOTATION);
  }

  private static String hash(DaemonSet ds) {
    return ds.getSpec()
        .getTemplate()
        .getMetadata()
        .getLabels()
        .get(PrepullDaemonSet.IMAGES_HASH_LABEL);
  }

  private static Node node(MockCluster cluster, String name) {
    return cluster.client().nodes().withName(name).get();
  }

  private static String prepulled(Node node) {
    return node.getMetadata().getAnnotations() == null
        ? null
        : node.getMetadata().getAnnotations().get(PrepullGate.PREPULLED_ANNOTATION);
  }

  private static void awaitNode(MockCluster cluster, String name, Predicate<Node> condition) {
    await()
        .atMost(MockCluster.TIMEOUT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> condition.test(node(cluster, name)));
  }

  private static Pod podOf(MockCluster cluster, dev.quotient.api.Project p) {
    return cluster
        .client()
        .pods()
        .inNamespace(p.getMetadata().getNamespace())
        .withName(p.getStatus().getPodName())
        .get();
  }
}
