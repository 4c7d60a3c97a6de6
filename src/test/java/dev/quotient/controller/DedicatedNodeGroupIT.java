package dev.quotient.controller;

import static dev.quotient.testing.TestResources.license;
import static dev.quotient.testing.TestResources.project;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.DedicatedNodeGroup;
import dev.quotient.api.DedicatedNodeGroupSpec;
import dev.quotient.api.DedicatedNodeGroupStatus;
import dev.quotient.api.ProjectPhase;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.nodegroup.NodeGroupMembership;
import dev.quotient.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator labels and taints a group's members and takes exactly that away again when a node
 * leaves (relabelled, dropped from nodeNames, the group deleted, the key changed), leaving every
 * other label and taint alone; the group's status counts members, capacity and what projects hold.
 */
class DedicatedNodeGroupIT {
  private static final String KEY = "quotient.dev/dedicated-node-group";
  private static final Taint MAINTENANCE =
      new TaintBuilder()
          .withKey("example.com/maintenance")
          .withValue("soon")
          .withEffect("PreferNoSchedule")
          .build();
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
  void aNodeRelabelledOutOfTheSelectorLosesOnlyOurLabelAndTaint() {
    createNode(cluster, "sel-a", Map.of("test-group", "sel", "rack", "r1"), MAINTENANCE);
    createNode(cluster, "sel-b", Map.of("test-group", "sel", "rack", "r2"), MAINTENANCE);
    AtomicBoolean beating = new AtomicBoolean(true);
    // A node whose status changes all the time, as a kubelet's does: a PUT of the whole node
    // with its resourceVersion would keep failing with 409; the patches do not.
    Thread kubelet = heartbeat(cluster, "sel-a", beating);
    try {
      cluster.create(group("sel", Map.of("test-group", "sel"), null));
      awaitStatus(cluster, "sel", s -> List.of("sel-a", "sel-b").equals(s.getNodes()));
      for (String n : List.of("sel-a", "sel-b")) {
        awaitNode(cluster, n, node -> isMember(node, KEY, "sel"));
        Node node = node(cluster, n);
        assertThat(node.getSpec().getTaints()).contains(MAINTENANCE);
        assertThat(node.getMetadata().getAnnotations())
            .containsEntry(NodeGroupMembership.MANAGED_ANNOTATION, "sel")
            .containsEntry(NodeGroupMembership.KEY_ANNOTATION, KEY);
      }
    } finally {
      beating.set(false);
      join(kubelet);
    }

    editNode(
        cluster,
        "sel-b",
        n -> {
          n.getMetadata().getLabels().put("test-group", "elsewhere");
          return n;
        });

    Node left = awaitNode(cluster, "sel-b", n -> !isMember(n, KEY, "sel"));
    assertLeft(left, KEY, Map.of("test-group", "elsewhere", "rack", "r2"));
    DedicatedNodeGroupStatus status =
        awaitStatus(cluster, "sel", s -> List.of("sel-a").equals(s.getNodes()));
    assertThat(status.getNodeCount()).isEqualTo(1);
    assertThat(node(cluster, "sel-a").getSpec().getTaints()).hasSize(2);
    deleteGroup(cluster, "sel");
    assertLeft(
        awaitNode(cluster, "sel-a", n -> !isMember(n, KEY, "sel")),
        KEY,
        Map.of("test-group", "sel", "rack", "r1"));
  }

  @Test
  void aNodeDroppedFromNodeNamesLosesOnlyOurLabelAndTaint() {
    createNode(cluster, "named-a", Map.of("rack", "r1"), MAINTENANCE);
    createNode(cluster, "named-b", Map.of("rack", "r2"), MAINTENANCE);
    cluster.create(group("named", null, List.of("named-a", "named-b")));
    awaitStatus(cluster, "named", s -> Integer.valueOf(2).equals(s.getNodeCount()));
    awaitNode(cluster, "named-b", n -> isMember(n, KEY, "named"));

    cluster
        .client()
        .resources(DedicatedNodeGroup.class)
        .withName("named")
        .edit(
            g -> {
              g.getSpec().setNodeNames(List.of("named-a"));
              return g;
            });

    assertLeft(
        awaitNode(cluster, "named-b", n -> !isMember(n, KEY, "named")), KEY, Map.of("rack", "r2"));
    DedicatedNodeGroupStatus status =
        awaitStatus(cluster, "named", s -> List.of("named-a").equals(s.getNodes()));
    assertThat(status.getObservedGeneration()).isEqualTo(2L);
    assertThat(isMember(node(cluster, "named-a"), KEY, "named")).isTrue();
    deleteGroup(cluster, "named");
  }

  @Test
  void aNodeKeptByAnotherGroupIsLeftToItAndHandedOverWhenThatGroupGoes() {
    createNode(cluster, "shared-a", Map.of("test-group", "shared"));
    cluster.create(group("shared-1", Map.of("test-group", "shared"), null));
    awaitNode(cluster, "shared-a", n -> isMember(n, KEY, "shared-1"));
    cluster.create(group("shared-2", null, List.of("shared-a")));
    DedicatedNodeGroupStatus second =
        awaitStatus(cluster, "shared-2", s -> Integer.valueOf(0).equals(s.getNodeCount()));
    assertThat(second.getConditions())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("NoMatchingNodes");
              assertThat(c.getMessage()).contains("shared-a (kept by shared-1)");
            });
    assertThat(isMember(node(cluster, "shared-a"), KEY, "shared-1")).isTrue();

    deleteGroup(cluster, "shared-1");

    awaitNode(cluster, "shared-a", n -> isMember(n, KEY, "shared-2"));
    assertThat(node(cluster, "shared-a").getSpec().getTaints())
        .containsExactly(ourTaint(KEY, "shared-2"));
    awaitStatus(cluster, "shared-2", s -> List.of("shared-a").equals(s.getNodes()));
    deleteGroup(cluster, "shared-2");
  }

  @Test
  void statusReportsCapacityAndWhatTheProjectsOnTheGroupHold() {
    String ns = cluster.namespace("capacity");
    cluster.create(group("bigmem", Map.of("hardware", "big-memory"), null));
    cluster.create(
        license(
            "bigmem-seat",
            5,
            q -> {
              q.setCpu("8");
              q.setMemory("32Gi");
              q.setDedicatedNodeGroup("bigmem");
            }));
    DedicatedNodeGroupStatus empty =
        awaitStatus(cluster, "bigmem", s -> List.of("physics-1").equals(s.getNodes()));
    assertThat(empty.getCapacity().getCpu()).isEqualTo("32");
    assertThat(empty.getCapacity().getMemory()).isEqualTo("256Gi");
    assertThat(empty.getCapacity().getGpu()).isEqualTo("0");

    cluster.create(project(ns, "sim", "bigmem-seat"));
    assertThat(cluster.awaitPhase(ns, "sim", ProjectPhase.Running).getStatus().getNodeName())
        .isEqualTo("physics-1");

    // requests = limits / overcommit: 8 cpu / 10, 32Gi / 5
    DedicatedNodeGroupStatus used =
        awaitStatus(cluster, "bigmem", s -> Integer.valueOf(1).equals(s.getRunningProjects()));
    assertThat(used.getAllocated().getCpu()).isEqualTo("800m");
    assertThat(used.getAllocated().getMemory()).isEqualTo("6554Mi");
    assertThat(used.getAllocated().getGpu()).isEqualTo("0");
    assertThat(used.getCapacity()).isEqualTo(empty.getCapacity());
    assertThat(used.getConditions())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getType()).isEqualTo("Ready");
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo("NodesLabelled");
              assertThat(c.getMessage())
                  .isEqualTo("1 node(s) labelled " + KEY + "=bigmem and tainted NoSchedule");
            });

    cluster.editProject(
        ns,
        "sim",
        p -> {
          p.getSpec().setDesiredState(dev.quotient.api.DesiredState.Stopped);
          return p;
        });
    DedicatedNodeGroupStatus freed =
        awaitStatus(cluster, "bigmem", s -> Integer.valueOf(0).equals(s.getRunningProjects()));
    assertThat(freed.getAllocated().getCpu()).isEqualTo("0");
    deleteGroup(cluster, "bigmem");
  }

  @Test
  void aNewNodeGroupKeyMovesLabelAndTaintToIt() {
    String newKey = "cocalc-dedicated_vm";
    try (MockCluster own = MockCluster.start()) {
      createNode(own, "key-a", Map.of("test-group", "key"), MAINTENANCE);
      createNode(own, "key-b", Map.of("rack", "r9"), MAINTENANCE);
      own.create(group("keyed", Map.of("test-group", "key"), null));
      awaitNode(own, "key-a", n -> isMember(n, KEY, "keyed"));

      Map<String, String> settings = new HashMap<>(EmbeddedRun.SETTINGS);
      settings.put("nodeGroupKey", newKey);
      own.client()
          .configMaps()
          .inNamespace(EmbeddedRun.NAMESPACE)
          .withName("quotient-settings")
          .edit(
              cm -> {
                cm.setData(settings);
                return cm;
              });

      Node moved = awaitNode(own, "key-a", n -> isMember(n, newKey, "keyed"));
      assertThat(moved.getMetadata().getLabels())
          .doesNotContainKey(KEY)
          .containsEntry("test-group", "key");
      assertThat(moved.getSpec().getTaints())
          .containsExactlyInAnyOrder(MAINTENANCE, ourTaint(newKey, "keyed"));
      assertThat(moved.getMetadata().getAnnotations())
          .containsEntry(NodeGroupMembership.KEY_ANNOTATION, newKey);
      awaitStatus(
          own,
          "keyed",
          s -> s.getConditions().get(0).getMessage().startsWith("1 node(s) labelled " + newKey));

      // After the switch, a node joining and one leaving use the new key only.
      editNode(
          own,
          "key-b",
          n -> {
            n.getMetadata().getLabels().put("test-group", "key");
            return n;
          });
      awaitNode(own, "key-b", n -> isMember(n, newKey, "keyed"));
      editNode(
          own,
          "key-a",
          n -> {
            n.getMetadata().getLabels().remove("test-group");
            return n;
          });
      assertLeft(awaitNode(own, "key-a", n -> !isMember(n, newKey, "keyed")), newKey, Map.of());
    }
  }

  private static DedicatedNodeGroup group(
      String name, Map<String, String> selector, List<String> nodeNames) {
    DedicatedNodeGroup g = new DedicatedNodeGroup();
    g.setMetadata(new ObjectMetaBuilder().withName(name).build());
    DedicatedNodeGroupSpec spec = new DedicatedNodeGroupSpec();
    spec.setNodeSelector(selector);
    spec.setNodeNames(nodeNames);
    g.setSpec(spec);
    return g;
  }

  /** A node of the test's own (no project-node label, so no project lands there by default). */
  private static void createNode(
      MockCluster on, String name, Map<String, String> labels, Taint... taints) {
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(new HashMap<>(labels))
            .endMetadata()
            .withNewSpec()
            .withTaints(taints)
            .endSpec()
            .withNewStatus()
            .withAllocatable(Map.of("cpu", new Quantity("4"), "memory", new Quantity("16Gi")))
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition()
            .endStatus()
            .build();
    Node created = on.client().nodes().resource(node).create();
    created.setStatus(node.getStatus());
    on.client().nodes().resource(created).updateStatus();
  }

  /** Rewrites the node's status every few milliseconds until {@code beating} is false. */
  private static Thread heartbeat(MockCluster on, String name, AtomicBoolean beating) {
    Thread t =
        new Thread(
            () -> {
              while (beating.get()) {
                on.client()
                    .nodes()
                    .withName(name)
                    .editStatus(
                        n -> {
                          n.getStatus()
                              .getConditions()
                              .get(0)
                              .setLastHeartbeatTime(Instant.now().toString());
                          return n;
                        });
                try {
                  Thread.sleep(5);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "heartbeat-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void join(Thread t) {
    try {
      t.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void editNode(MockCluster on, String name, UnaryOperator<Node> edit) {
    on.client().nodes().withName(name).edit(edit);
  }

  private static void deleteGroup(MockCluster on, String name) {
    on.client().resources(DedicatedNodeGroup.class).withName(name).delete();
    await()
        .atMost(MockCluster.TIMEOUT)
        .until(() -> on.client().resources(DedicatedNodeGroup.class).withName(name).get() == null);
  }

  private static Node node(MockCluster on, String name) {
    return on.client().nodes().withName(name).get();
  }

  private static Node awaitNode(MockCluster on, String name, Predicate<Node> condition) {
    await()
        .atMost(MockCluster.TIMEOUT)
        .ignoreExceptions()
        .until(() -> condition.test(node(on, name)));
    return node(on, name);
  }

  private static DedicatedNodeGroupStatus awaitStatus(
      MockCluster on, String group, Predicate<DedicatedNodeGroupStatus> condition) {
    await()
        .atMost(MockCluster.TIMEOUT)
        .ignoreExceptions()
        .until(
            () ->
                condition.test(
                    on.client()
                        .resources(DedicatedNodeGroup.class)
                        .withName(group)
                        .get()
                        .getStatus()));
    return on.client().resources(DedicatedNodeGroup.class).withName(group).get().getStatus();
  }

  private static Taint ourTaint(String key, String group) {
    return new TaintBuilder().withKey(key).withValue(group).withEffect("NoSchedule").build();
  }

  private static boolean isMember(Node n, String key, String group) {
    Map<String, String> labels = n.getMetadata().getLabels();
    List<Taint> taints = n.getSpec() == null ? List.of() : n.getSpec().getTaints();
    return labels != null
        && group.equals(labels.get(key))
        && taints != null
        && taints.contains(ourTaint(key, group));
  }

  /** The node carries exactly {@code labels}, no annotation of ours and only the other taint. */
  private static void assertLeft(Node n, String key, Map<String, String> labels) {
    assertThat(n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels())
        .isEqualTo(labels);
    assertThat(
            n.getMetadata().getAnnotations() == null ? Map.of() : n.getMetadata().getAnnotations())
        .doesNotContainKeys(
            NodeGroupMembership.MANAGED_ANNOTATION, NodeGroupMembership.KEY_ANNOTATION);
    assertThat(n.getSpec().getTaints())
        .as("only the taint that was not ours")
        .containsExactly(MAINTENANCE);
  }
}
