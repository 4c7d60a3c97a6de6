package dev.quotient.admission;

import dev.quotient.quota.Quantities;
import dev.quotient.quota.Resources;
import dev.quotient.settings.ClusterQuotaSettings;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds {@link AdmissionLimits} from the settings and what the caches hold: the cluster quota
 * (set, or derived from the project nodes: 80% of CPU, 75% of memory, all GPUs), each node group's
 * capacity (its members' allocatable) and the namespaces' ResourceQuotas.
 */
public final class LimitsFactory {
  private LimitsFactory() {}

  public static AdmissionLimits limits(
      ClusterQuotaSettings settings,
      List<Node> nodes,
      Map<String, String> projectNodeSelector,
      String nodeGroupKey,
      String gpuResource,
      List<ResourceQuota> quotas) {
    Map<String, Resources> groups = new HashMap<>();
    Resources projectNodes = Resources.ZERO;
    List<String> counted = new ArrayList<>();
    Map<String, List<Resources>> groupNodes = new HashMap<>();
    for (Node node : nodes) {
      if (!usable(node)) {
        continue;
      }
      Map<String, String> labels =
          node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
      Resources alloc = allocatable(node, gpuResource);
      String group = labels.get(nodeGroupKey);
      if (group != null) {
        groups.merge(group, alloc, Resources::plus);
        groupNodes.computeIfAbsent(group, g -> new ArrayList<>()).add(alloc);
      }
      boolean projectNode =
          projectNodeSelector.isEmpty()
              || group != null
              || alloc.gpu() > 0
              || projectNodeSelector.entrySet().stream()
                  .allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()));
      if (projectNode) {
        projectNodes = projectNodes.plus(alloc);
        counted.add(node.getMetadata().getName());
      }
    }
    Resources cluster;
    long maxProjects;
    long maxEphemeral;
    if (!settings.enabled()) {
      cluster = new Resources(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
      maxProjects = Long.MAX_VALUE;
      maxEphemeral = Long.MAX_VALUE;
    } else {
      cluster =
          new Resources(
              settings.cpuMillis() != null
                  ? settings.cpuMillis()
                  : share(projectNodes.cpuMillis(), 80),
              settings.memoryBytes() != null
                  ? settings.memoryBytes()
                  : share(projectNodes.memoryBytes(), 75),
              settings.gpu() != null ? settings.gpu() : projectNodes.gpu());
      maxProjects =
          settings.runningProjects() != null ? settings.runningProjects() : Long.MAX_VALUE;
      maxEphemeral =
          settings.ephemeralProjects() != null ? settings.ephemeralProjects() : Long.MAX_VALUE;
    }
    Map<String, List<NamespaceQuota>> byNamespace = new HashMap<>();
    for (ResourceQuota q : quotas) {
      NamespaceQuota nq = namespaceQuota(q);
      if (!nq.hard().isEmpty()) {
        byNamespace.computeIfAbsent(nq.namespace(), k -> new ArrayList<>()).add(nq);
      }
    }
    boolean derived =
        settings.enabled()
            && (settings.cpuMillis() == null
                || settings.memoryBytes() == null
                || settings.gpu() == null);
    counted.sort(String::compareTo);
    return new AdmissionLimits(
        cluster,
        maxProjects,
        groups,
        byNamespace,
        derived ? counted : List.of(),
        groupNodes,
        maxEphemeral,
        Map.of());
  }

  static NamespaceQuota namespaceQuota(ResourceQuota q) {
    Map<String, Long> hard = amounts(q.getSpec() == null ? null : q.getSpec().getHard());
    Map<String, Long> used = amounts(q.getStatus() == null ? null : q.getStatus().getUsed());
    return new NamespaceQuota(
        q.getMetadata().getNamespace(), q.getMetadata().getName(), hard, used);
  }

  private static Map<String, Long> amounts(Map<String, Quantity> in) {
    Map<String, Long> out = new HashMap<>();
    if (in == null) {
      return out;
    }
    in.forEach(
        (k, v) -> {
          try {
            out.put(
                k,
                k.endsWith("cpu")
                    ? Quantities.cpuMillis(k, v.toString())
                    : Quantities.bytes(k, v.toString()));
          } catch (RuntimeException e) {
            // a quota the API server accepted but we cannot read: ignore that entry
          }
        });
    return out;
  }

  private static boolean usable(Node node) {
    if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
      return false;
    }
    if (node.getStatus() == null || node.getStatus().getConditions() == null) {
      return true;
    }
    return node.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .allMatch(c -> "True".equals(c.getStatus()));
  }

  static Resources allocatable(Node node, String gpuResource) {
    Map<String, Quantity> a =
        node.getStatus() == null || node.getStatus().getAllocatable() == null
            ? Map.of()
            : node.getStatus().getAllocatable();
    try {
      return new Resources(
          a.containsKey("cpu") ? Quantities.cpuMillis("cpu", a.get("cpu").toString()) : 0,
          a.containsKey("memory") ? Quantities.bytes("memory", a.get("memory").toString()) : 0,
          a.containsKey(gpuResource) ? Quantities.count("gpu", a.get(gpuResource).toString()) : 0);
    } catch (RuntimeException e) {
      return Resources.ZERO;
    }
  }

  private static long share(long v, int percent) {
    return BigDecimal.valueOf(v)
        .multiply(BigDecimal.valueOf(percent))
        .divide(BigDecimal.valueOf(100), 0, RoundingMode.FLOOR)
        .longValueExact();
  }
}
