package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.TIMEOUT;
import static dev.quotient.realcluster.RealCluster.admin;
import static dev.quotient.realcluster.RealCluster.awaitPhase;
import static dev.quotient.realcluster.RealCluster.awaitProject;
import static dev.quotient.realcluster.RealCluster.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A GPU node tainted like real ones ({@code nvidia.com/gpu=present:NoSchedule}) takes a GPU project
 * whose license names no toleration: the pod tolerates its GPU resource's taint (setting {@code
 * pod.tolerateGpuTaint}), which the real kube-scheduler honours. This test's own kwok node,
 * selected by a label of its own, so that it neither uses nor disturbs gpu-1.
 */
class GpuTaintKubeIT {
  private static final String SETTING = "pod.tolerateGpuTaint";
  private static String ns;
  private static String node;

  @BeforeAll
  static void setUp() {
    ns = RealCluster.namespace("gputaint");
    node = unique("gpu-taint");
    admin()
        .resource(
            """
            apiVersion: v1
            kind: Node
            metadata:
              name: %1$s
              labels: {kubernetes.io/hostname: %1$s, test-gpu-node: %1$s}
            spec:
              taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
            status:
              capacity: {cpu: "8", memory: 32Gi, nvidia.com/gpu: "1", pods: "110"}
              allocatable: {cpu: "8", memory: 32Gi, nvidia.com/gpu: "1", pods: "110"}
            """
                .formatted(node))
        .create();
  }

  @AfterAll
  static void tearDown() {
    admin().nodes().withName(node).delete();
  }

  /** A license of one GPU on this test's node, and no tolerations. */
  private static void createGpuProject(String name) {
    String license = unique("gpu-taint");
    admin()
        .resource(
            """
            apiVersion: quotient.dev/v1alpha1
            kind: License
            metadata: {name: %s}
            spec:
              runLimit: 1
              quota:
                cpu: "1"
                memory: 2Gi
                gpu:
                  count: 1
                  nodeSelector: {test-gpu-node: %s}
            """
                .formatted(license, node))
        .create();
    admin()
        .resource(
            """
            apiVersion: quotient.dev/v1alpha1
            kind: Project
            metadata: {name: %s, namespace: %s}
            spec: {desiredState: Running, licenses: [%s]}
            """
                .formatted(name, ns, license))
        .create();
  }

  /** Deletes a project and waits until its pod is gone, so the node's GPU is free again. */
  private static void deleteProject(String name) {
    admin().resources(Project.class).inNamespace(ns).withName(name).delete();
    await()
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> RealCluster.pod(ns, name) == null);
  }

  @Test
  void gpuProjectWithoutTolerationsRunsOnTheTaintedGpuNode() {
    createGpuProject("tolerated");
    try {
      Project p = awaitPhase(ns, "tolerated", ProjectPhase.Running);
      assertThat(p.getStatus().getNodeName()).isEqualTo(node);
      assertThat(RealCluster.pod(ns, "tolerated").getSpec().getTolerations())
          .anySatisfy(
              t -> {
                assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
                assertThat(t.getOperator()).isEqualTo("Exists");
                assertThat(t.getEffect()).isEqualTo("NoSchedule");
              });
    } finally {
      deleteProject("tolerated");
    }
  }

  @Test
  void withTheSettingOffTheGpuProjectStaysUnschedulable() {
    RealCluster.editSettings(Map.of(SETTING, "false"), s -> !s.pod().tolerateGpuTaint());
    try {
      createGpuProject("untolerated");
      Project p =
          awaitProject(
              ns,
              "untolerated",
              x ->
                  x.getStatus() != null
                      && x.getStatus().getMessage() != null
                      && x.getStatus().getMessage().startsWith("Unschedulable: "));
      assertThat(p.getStatus().getPhase()).isEqualTo(ProjectPhase.Starting);
      assertThat(p.getStatus().getMessage())
          .as("kube-scheduler's reason, in the Project's status")
          .containsPattern("^Unschedulable: 0/\\d+ nodes are available: .*untolerated taint");
      assertThat(p.getStatus().getNodeName()).isNull();
      var pod = RealCluster.pod(ns, "untolerated");
      assertThat(pod.getSpec().getNodeName()).isNull();
      // (the API server's DefaultTolerationSeconds adds the not-ready/unreachable ones)
      assertThat(pod.getSpec().getTolerations())
          .noneSatisfy(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
    } finally {
      deleteProject("untolerated");
      RealCluster.editSettings(
          Collections.singletonMap(SETTING, null), s -> s.pod().tolerateGpuTaint());
    }
  }
}
