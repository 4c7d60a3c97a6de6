package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.admin;
import static dev.quotient.realcluster.RealCluster.awaitPhase;
import static dev.quotient.realcluster.RealCluster.awaitProject;
import static dev.quotient.realcluster.RealCluster.createNodes;
import static dev.quotient.realcluster.RealCluster.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.FileInputStream;
import java.io.InputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Where pods land is decided by the real kube-scheduler on kwok nodes (the default nodes of the
 * simulation: pool-1, pool-2, physics-1 for the "physics" group, gpu-1 with 2 nvidia.com/gpu).
 */
class PlacementKubeIT {
  private static String ns;

  @BeforeAll
  static void setUp() throws Exception {
    ns = RealCluster.namespace("placement");
    // The group of examples/ (ExamplesKubeIT applies the same object): physics-1 is its member.
    try (InputStream in = new FileInputStream("examples/20-nodegroups.yaml")) {
      admin()
          .load(in)
          .items()
          .forEach(o -> admin().resource(o).createOr(NonDeletingOperation::update));
    }
  }

  private static void create(String yaml) {
    admin().resource(yaml).create();
  }

  private static String project(String name, String license) {
    return """
        apiVersion: quotient.dev/v1alpha1
        kind: Project
        metadata: {name: %s, namespace: %s}
        spec: {desiredState: Running, licenses: [%s]}
        """
        .formatted(name, ns, license);
  }

  @Test
  void dedicatedProjectLandsOnItsGroupsTaintedNode() {
    String license = unique("dedicated");
    create(
        """
        apiVersion: quotient.dev/v1alpha1
        kind: License
        metadata: {name: %s}
        spec: {runLimit: 2, quota: {cpu: "2", memory: 4Gi, dedicatedNodeGroup: physics}}
        """
            .formatted(license));
    create(project("dedicated", license));

    Project p = awaitPhase(ns, "dedicated", ProjectPhase.Running);
    assertThat(p.getStatus().getNodeName()).isEqualTo("physics-1");
    assertThat(RealCluster.pod(ns, "dedicated").getSpec().getNodeName()).isEqualTo("physics-1");
    // The operator made physics-1 a member: label and NoSchedule taint, which only the group's pods
    // tolerate.
    Node node = admin().nodes().withName("physics-1").get();
    assertThat(node.getMetadata().getLabels())
        .containsEntry("quotient.dev/dedicated-node-group", "physics");
    assertThat(node.getSpec().getTaints())
        .anySatisfy(
            t -> {
              assertThat(t.getKey()).isEqualTo("quotient.dev/dedicated-node-group");
              assertThat(t.getValue()).isEqualTo("physics");
              assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
  }

  @Test
  void gpuProjectLandsOnTheGpuNode() {
    String license = unique("gpu");
    create(
        """
        apiVersion: quotient.dev/v1alpha1
        kind: License
        metadata: {name: %s}
        spec:
          runLimit: 1
          quota:
            cpu: "2"
            memory: 8Gi
            gpu:
              count: 1
              nodeSelector: {accelerator: nvidia-a100}
              tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
        """
            .formatted(license));
    create(project("trainer", license));

    Project p = awaitPhase(ns, "trainer", ProjectPhase.Running);
    assertThat(p.getStatus().getNodeName()).isEqualTo("gpu-1");
    Pod pod = RealCluster.pod(ns, "trainer");
    assertThat(pod.getSpec().getNodeName()).isEqualTo("gpu-1");
    assertThat(
            pod.getSpec().getContainers().get(0).getResources().getLimits().get("nvidia.com/gpu"))
        .hasToString("1");
  }

  @Test
  void projectThatFitsNoNodeStaysPendingWithTheSchedulersMessage() {
    // A group of two nodes with 2Gi each, half of each taken by a pod that is not a project: the
    // operator's ledger sees the group's capacity free and a node big enough for a 1536Mi request
    // (7680Mi limit / memoryOvercommit 5), but no node has that much free. Only a real scheduler
    // says so.
    String group = unique("small");
    createNodes(group, "2Gi");
    for (String node : new String[] {group + "-a", group + "-b"}) {
      create(
          """
          apiVersion: v1
          kind: Pod
          metadata: {name: filler-%2$s, namespace: %1$s}
          spec:
            nodeName: %2$s
            containers:
            - {name: filler, image: busybox, resources: {requests: {memory: 1Gi}}}
          """
              .formatted(ns, node));
    }
    groupWithLicense(group);
    create(project("huge", group));
    try {
      Project p =
          awaitProject(
              ns,
              "huge",
              x ->
                  x.getStatus() != null
                      && x.getStatus().getMessage() != null
                      && x.getStatus().getMessage().startsWith("Unschedulable: "));
      Pod pod = RealCluster.pod(ns, "huge");
      assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
      PodCondition scheduled =
          pod.getStatus().getConditions().stream()
              .filter(c -> "PodScheduled".equals(c.getType()))
              .findFirst()
              .orElseThrow();
      assertThat(scheduled.getReason()).isEqualTo("Unschedulable");
      assertThat(scheduled.getMessage())
          .containsPattern("^0/\\d+ nodes are available: .*2 Insufficient memory");
      assertThat(p.getStatus().getPhase()).isEqualTo(ProjectPhase.Starting);
      assertThat(p.getStatus().getMessage()).isEqualTo("Unschedulable: " + scheduled.getMessage());
      assertThat(p.getStatus().getNodeName()).isNull();
      assertThat(p.getStatus().getConditions())
          .anySatisfy(
              c -> {
                assertThat(c.getType()).isEqualTo("Ready");
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("Unschedulable");
              });
    } finally {
      admin().resources(Project.class).inNamespace(ns).withName("huge").delete();
      for (String node : new String[] {group + "-a", group + "-b"}) {
        admin().pods().inNamespace(ns).withName("filler-" + node).delete();
      }
      RealCluster.deleteGroupAndItsNodes(group);
    }
  }

  @Test
  void projectBiggerThanEveryNodeOfItsGroupIsToldSoBeforeAnyPodIsMade() {
    // Two nodes of 1Gi: their sum would hold a 1536Mi request, no single node does.
    String group = unique("tiny");
    createNodes(group, "1Gi");
    groupWithLicense(group);
    create(project("too-big", group));
    try {
      Project p =
          awaitProject(
              ns,
              "too-big",
              x ->
                  x.getStatus() != null
                      && x.getStatus().getPhase() == ProjectPhase.WaitingForResources);
      assertThat(p.getStatus().getMessage())
          .contains("never fits node group " + group)
          .contains("no node can hold cpu 100m, memory 1536Mi, gpu 0")
          .contains("its nodes have at most cpu 4, memory 1Gi, gpu 0 each");
      assertThat(RealCluster.pod(ns, "too-big")).isNull();
    } finally {
      admin().resources(Project.class).inNamespace(ns).withName("too-big").delete();
      RealCluster.deleteGroupAndItsNodes(group);
    }
  }

  /**
   * A DedicatedNodeGroup of the nodes labelled test-group=group, and a License of the same name
   * placing a 7680Mi project (1536Mi requested) on it.
   */
  private static void groupWithLicense(String group) {
    create(
        """
        apiVersion: quotient.dev/v1alpha1
        kind: DedicatedNodeGroup
        metadata: {name: %1$s}
        spec: {nodeSelector: {test-group: %1$s}}
        """
            .formatted(group));
    create(
        """
        apiVersion: quotient.dev/v1alpha1
        kind: License
        metadata: {name: %1$s}
        spec: {runLimit: 1, quota: {cpu: "1", memory: 7680Mi, dedicatedNodeGroup: %1$s}}
        """
            .formatted(group));
  }
}
