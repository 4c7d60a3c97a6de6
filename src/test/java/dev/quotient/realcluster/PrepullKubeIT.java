package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.TIMEOUT;
import static dev.quotient.realcluster.RealCluster.admin;
import static dev.quotient.realcluster.RealCluster.awaitPhase;
import static dev.quotient.realcluster.RealCluster.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.QuotientLabels;
import dev.quotient.local.LocalCluster;
import dev.quotient.prepull.PrepullDaemonSet;
import dev.quotient.prepull.PrepullGate;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Prepull on the real control plane: the controller-manager's DaemonSet controller and
 * kube-scheduler place the prepull pods, kwok makes them Ready, the Pod Security admission of the
 * operator's namespace (restricted) admits them. A kwok node joins (registered NotReady, with the
 * not-ready taint, as a kubelet registers), is gated, its prepull pod lands and becomes Ready, the
 * gate is lifted, then a project pod schedules there; a new default image gates it again while the
 * running project keeps running. Every version of the node is recorded by a watch, so the gate is
 * seen however short it stays.
 */
class PrepullKubeIT {
  private static final String OLD = "quay.io/jupyter/base-notebook:latest";
  private static final String NEW = "quay.io/jupyter/base-notebook:2026-12-01";

  /** One version of the node as the watch saw it: gated or not, and the images recorded. */
  record Seen(boolean gated, String prepulled) {}

  @Test
  void aJoiningNodeIsGatedUntilItsImagesArePulledAndAgainForANewDefaultImage() {
    String ns = RealCluster.namespace("prepull");
    String group = unique("prepull");
    String nodeName = group + "-a";
    List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    Watch watch =
        admin()
            .nodes()
            .withName(nodeName)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Node node) {
                    seen.add(new Seen(PrepullGate.gated(node), prepulled(node)));
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
    try {
      RealCluster.editSettings(Map.of("prepull.enabled", "true"), s -> s.prepull().enabled());
      await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> daemonSet() != null);
      // A group for the node, and a license that places projects there.
      admin()
          .resource(
              """
              apiVersion: quotient.dev/v1alpha1
              kind: DedicatedNodeGroup
              metadata: {name: %1$s}
              spec: {nodeSelector: {test-group: %1$s}}
              """
                  .formatted(group))
          .create();
      admin()
          .resource(
              """
              apiVersion: quotient.dev/v1alpha1
              kind: License
              metadata: {name: %1$s}
              spec: {runLimit: 2, quota: {cpu: "1", memory: 2Gi, dedicatedNodeGroup: %1$s}}
              """
                  .formatted(group))
          .create();

      // The node joins.
      admin()
          .resource(
              """
              apiVersion: v1
              kind: Node
              metadata:
                name: %1$s
                labels: {kubernetes.io/hostname: %1$s, test-group: %2$s}
              spec:
                taints: [{key: node.kubernetes.io/not-ready, effect: NoSchedule}]
              status:
                capacity: {cpu: 5m, memory: 8Gi, pods: "110"}
                allocatable: {cpu: 5m, memory: 8Gi, pods: "110"}
              """
                  .formatted(nodeName, group))
          .create();
      // kwok pulls nothing, so a slow pull is played by a node too small for the prepull pod at
      // first (10m CPU): the DaemonSet's pod waits there, Pending, and the gate stays.
      await()
          .atMost(TIMEOUT)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> seen.contains(new Seen(true, null)) && prepullPods(nodeName).isEmpty());
      Pod waiting =
          await()
              .atMost(TIMEOUT)
              .pollInterval(Duration.ofMillis(200))
              .until(() -> pendingPrepullPod(nodeName), p -> p != null);
      assertThat(PrepullGate.gated(admin().nodes().withName(nodeName).get())).isTrue();
      assertThat(waiting.getStatus().getConditions())
          .anySatisfy(c -> assertThat(c.getMessage()).contains("Insufficient cpu"));
      // The pull is done: the pod fits, kube-scheduler binds it, kwok makes it Ready.
      admin()
          .nodes()
          .withName(nodeName)
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"status\":{\"capacity\":{\"cpu\":\"4\"},\"allocatable\":{\"cpu\":\"4\"}}}");
      Node released =
          awaitNode(
              nodeName, n -> !PrepullGate.gated(n) && OLD.equals(prepulled(n)) && member(n, group));
      assertThat(seen).as("the versions of the node").contains(new Seen(true, null));
      assertThat(seen.indexOf(new Seen(true, null))).isLessThan(seen.indexOf(new Seen(false, OLD)));
      // The group's label and taint, written by the other controller meanwhile, are still there.
      assertThat(released.getSpec().getTaints())
          .anySatisfy(t -> assertThat(t.getKey()).isEqualTo("quotient.dev/dedicated-node-group"));
      Pod prepull = readyPrepullPod(nodeName, hash(daemonSet()));
      assertThat(prepull.getSpec().getInitContainers())
          .extracting(Container::getImage)
          .containsExactly(OLD);
      // (the Event follows the node write)
      await()
          .atMost(TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> events(nodeName).containsAll(List.of("PrepullPending", "Prepulled")));

      // A project now schedules there.
      admin()
          .resource(
              """
              apiVersion: quotient.dev/v1alpha1
              kind: Project
              metadata: {name: workspace, namespace: %s}
              spec: {desiredState: Running, licenses: [%s]}
              """
                  .formatted(ns, group))
          .create();
      Project p = awaitPhase(ns, "workspace", ProjectPhase.Running);
      assertThat(p.getStatus().getNodeName()).isEqualTo(nodeName);
      Pod running = RealCluster.pod(ns, "workspace");
      assertThat(running.getMetadata().getLabels())
          .containsEntry(QuotientLabels.IMAGE_TAG, "latest");

      // A new default image: the node is gated again for it, then released; the project runs on.
      int before = seen.size();
      RealCluster.editSettings(
          Map.of("prepull.enabled", "true", "pod.defaultImage", NEW),
          s -> NEW.equals(s.pod().defaultImage()));
      awaitNode(nodeName, n -> !PrepullGate.gated(n) && NEW.equals(prepulled(n)));
      List<Seen> after = new ArrayList<>(seen.subList(before, seen.size()));
      assertThat(after).contains(new Seen(true, OLD));
      assertThat(after.indexOf(new Seen(true, OLD)))
          .isLessThan(after.indexOf(new Seen(false, NEW)));
      assertThat(readyPrepullPod(nodeName, hash(daemonSet())).getSpec().getInitContainers())
          .extracting(Container::getImage)
          .containsExactly(NEW);
      Pod still = RealCluster.pod(ns, "workspace");
      assertThat(still.getMetadata().getUid()).isEqualTo(running.getMetadata().getUid());
      assertThat(still.getSpec().getContainers().get(0).getImage()).isEqualTo(OLD);
      assertThat(RealCluster.project(ns, "workspace").getStatus().getPhase())
          .isEqualTo(ProjectPhase.Running);
      assertThat(
              admin()
                  .pods()
                  .inNamespace(ns)
                  .withLabel(QuotientLabels.IMAGE_TAG, "latest")
                  .list()
                  .getItems())
          .extracting(x -> x.getMetadata().getName())
          .containsExactly("project-workspace");
    } finally {
      watch.close();
      Map<String, String> reset = new HashMap<>();
      reset.put("prepull.enabled", null);
      reset.put("pod.defaultImage", null);
      RealCluster.editSettings(
          reset, s -> !s.prepull().enabled() && OLD.equals(s.pod().defaultImage()));
      // Off: no DaemonSet, and no node keeps a gate or a record.
      await()
          .atMost(TIMEOUT)
          .pollInterval(Duration.ofMillis(250))
          .until(
              () ->
                  daemonSet() == null
                      && admin().nodes().list().getItems().stream()
                          .noneMatch(n -> PrepullGate.gated(n) || prepulled(n) != null));
      admin().resources(Project.class).inNamespace(ns).withName("workspace").delete();
      await()
          .atMost(TIMEOUT)
          .pollInterval(Duration.ofMillis(200))
          .until(() -> RealCluster.pod(ns, "workspace") == null);
      admin().resources(dev.quotient.api.License.class).withName(group).delete();
      RealCluster.deleteGroupAndItsNodes(group);
    }
  }

  private static DaemonSet daemonSet() {
    return admin()
        .apps()
        .daemonSets()
        .inNamespace(LocalCluster.NAMESPACE)
        .withName(PrepullDaemonSet.NAME)
        .get();
  }

  private static String hash(DaemonSet ds) {
    return ds.getSpec()
        .getTemplate()
        .getMetadata()
        .getLabels()
        .get(PrepullDaemonSet.IMAGES_HASH_LABEL);
  }

  /** The DaemonSet's pod of these images on the node, Ready (kwok). */
  private static Pod readyPrepullPod(String nodeName, String hash) {
    List<Pod> pods =
        admin()
            .pods()
            .inNamespace(LocalCluster.NAMESPACE)
            .withLabels(PrepullDaemonSet.selector())
            .list()
            .getItems();
    return pods.stream()
        .filter(p -> nodeName.equals(p.getSpec().getNodeName()))
        .filter(p -> PrepullGate.readyOn(nodeName, List.of(p), hash))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Ready prepull pod on " + nodeName + ": " + pods));
  }

  /** The prepull pods bound to the node. */
  private static List<Pod> prepullPods(String nodeName) {
    return admin()
        .pods()
        .inNamespace(LocalCluster.NAMESPACE)
        .withLabels(PrepullDaemonSet.selector())
        .list()
        .getItems()
        .stream()
        .filter(p -> nodeName.equals(p.getSpec().getNodeName()))
        .toList();
  }

  /**
   * The DaemonSet's pod for the node that kube-scheduler could not place yet (the DaemonSet
   * controller pins it with a node affinity on the node's name).
   */
  private static Pod pendingPrepullPod(String nodeName) {
    return admin()
        .pods()
        .inNamespace(LocalCluster.NAMESPACE)
        .withLabels(PrepullDaemonSet.selector())
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getSpec().getNodeName() == null)
        .filter(
            p ->
                io.fabric8.kubernetes.client.utils.Serialization.asJson(p.getSpec().getAffinity())
                    .contains("\"" + nodeName + "\""))
        .filter(p -> p.getStatus() != null && p.getStatus().getConditions() != null)
        .filter(
            p ->
                p.getStatus().getConditions().stream()
                    .anyMatch(
                        c ->
                            "PodScheduled".equals(c.getType())
                                && c.getMessage() != null
                                && c.getMessage().contains("Insufficient cpu")))
        .findFirst()
        .orElse(null);
  }

  private static String prepulled(Node node) {
    return node.getMetadata().getAnnotations() == null
        ? null
        : node.getMetadata().getAnnotations().get(PrepullGate.PREPULLED_ANNOTATION);
  }

  private static boolean member(Node node, String group) {
    return node.getMetadata().getLabels() != null
        && group.equals(node.getMetadata().getLabels().get("quotient.dev/dedicated-node-group"));
  }

  private static Node awaitNode(String name, java.util.function.Predicate<Node> condition) {
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> condition.test(admin().nodes().withName(name).get()));
    return admin().nodes().withName(name).get();
  }

  private static List<String> events(String nodeName) {
    return admin().v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> nodeName.equals(e.getInvolvedObject().getName()))
        .map(Event::getReason)
        .toList();
  }
}
