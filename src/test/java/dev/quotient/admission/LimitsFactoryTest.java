package dev.quotient.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.quota.Resources;
import dev.quotient.settings.ClusterQuotaSettings;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which nodes a derived cluster quota counts, and what it comes to. */
class LimitsFactoryTest {
  private static final String KEY = "quotient.dev/dedicated-node-group";
  private static final Map<String, String> PROJECT_NODES =
      Map.of("quotient.dev/project-node", "true");
  private static final ClusterQuotaSettings DERIVED =
      new ClusterQuotaSettings(true, null, null, null, null);

  private static Node node(
      String name, String cpu, String mem, String gpus, Map<String, String> labels) {
    NodeBuilder b =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .endSpec()
            .withNewStatus()
            .addToAllocatable("cpu", new Quantity(cpu))
            .addToAllocatable("memory", new Quantity(mem))
            .endStatus();
    if (gpus != null) {
      b.editStatus().addToAllocatable("nvidia.com/gpu", new Quantity(gpus)).endStatus();
    }
    return b.build();
  }

  private static final List<Node> NODES =
      List.of(
          node("pool-1", "8", "32Gi", null, PROJECT_NODES),
          node("pool-2", "8", "32Gi", null, PROJECT_NODES),
          node("physics-1", "32", "256Gi", null, Map.of(KEY, "physics")),
          node("gpu-1", "16", "128Gi", "2", Map.of()),
          node(
              "control-plane",
              "4",
              "16Gi",
              null,
              Map.of("node-role.kubernetes.io/control-plane", "")));

  @Test
  void aDerivedQuotaCountsProjectNodesGroupMembersAndGpuNodesButNotOthers() {
    AdmissionLimits l =
        LimitsFactory.limits(DERIVED, NODES, PROJECT_NODES, KEY, "nvidia.com/gpu", List.of());
    assertThat(l.clusterQuotaNodes()).containsExactly("gpu-1", "physics-1", "pool-1", "pool-2");
    // 64 cpu and 448Gi counted: 80% and 75% of them, and every GPU.
    assertThat(l.cluster()).isEqualTo(new Resources(51_200, 448L * (1L << 30) * 3 / 4, 2));
    assertThat(l.nodeGroupCapacity())
        .containsEntry("physics", new Resources(32_000, 256L << 30, 0));
  }

  @Test
  void withoutAProjectNodeSelectorEveryUsableNodeCounts() {
    AdmissionLimits l =
        LimitsFactory.limits(DERIVED, NODES, Map.of(), KEY, "nvidia.com/gpu", List.of());
    assertThat(l.clusterQuotaNodes()).hasSize(5);
  }

  @Test
  void cordonedAndNotReadyNodesDoNotCount() {
    Node cordoned = node("pool-3", "8", "32Gi", null, PROJECT_NODES);
    cordoned.getSpec().setUnschedulable(true);
    Node notReady = node("pool-4", "8", "32Gi", null, PROJECT_NODES);
    notReady
        .getStatus()
        .setConditions(
            List.of(
                new io.fabric8.kubernetes.api.model.NodeConditionBuilder()
                    .withType("Ready")
                    .withStatus("False")
                    .build()));
    AdmissionLimits l =
        LimitsFactory.limits(
            DERIVED,
            List.of(cordoned, notReady, NODES.get(0)),
            PROJECT_NODES,
            KEY,
            "nvidia.com/gpu",
            List.of());
    assertThat(l.clusterQuotaNodes()).containsExactly("pool-1");
  }

  @Test
  void aQuotaSetInTheSettingsCountsNoNodes() {
    AdmissionLimits l =
        LimitsFactory.limits(
            new ClusterQuotaSettings(true, 10_000L, 1L << 34, 4L, 20L),
            NODES,
            PROJECT_NODES,
            KEY,
            "nvidia.com/gpu",
            List.of());
    assertThat(l.clusterQuotaNodes()).isEmpty();
    assertThat(l.cluster()).isEqualTo(new Resources(10_000, 1L << 34, 4));
    assertThat(l.maxRunningProjects()).isEqualTo(20);
  }

  @Test
  void aDisabledQuotaLimitsNothing() {
    AdmissionLimits l =
        LimitsFactory.limits(
            new ClusterQuotaSettings(false, null, null, null, null),
            NODES,
            PROJECT_NODES,
            KEY,
            "nvidia.com/gpu",
            List.of());
    assertThat(l.cluster().cpuMillis()).isEqualTo(Long.MAX_VALUE);
    assertThat(l.clusterQuotaNodes()).isEmpty();
  }
}
