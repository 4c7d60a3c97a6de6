package dev.quotient.admission;

import java.util.Map;

/**
 * One Kubernetes ResourceQuota, reduced to what admission checks: hard limits and what the API
 * server counts as used, by resource name ("requests.cpu" in millicores, "requests.memory" in
 * bytes, "requests.nvidia.com/gpu", "count/pods", "limits.cpu", ...).
 */
public record NamespaceQuota(
    String namespace, String name, Map<String, Long> hard, Map<String, Long> used) {
  public NamespaceQuota {
    // Sorted, so the bottleneck reported first is always the same one.
    hard = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(hard));
    used = Map.copyOf(used);
  }
}
