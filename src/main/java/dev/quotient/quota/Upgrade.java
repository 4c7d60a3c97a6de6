package dev.quotient.quota;

import dev.quotient.api.GpuSpec;
import dev.quotient.api.QuotaSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A parsed {@link QuotaSpec}: what one contributor (a license, the admin quota, the settings
 * default) grants. A null field means "not set": it contributes nothing to that field.
 */
public record Upgrade(
    Long cpuMillis,
    Long memoryBytes,
    Long ephemeralBytes,
    Long gpu,
    String gpuResource,
    Map<String, String> gpuNodeSelector,
    List<Toleration> gpuTolerations,
    Boolean alwaysRunning,
    Duration idleTimeout,
    Duration maxDuration,
    List<String> nodeGroups,
    Duration gpuIdleTimeout,
    Boolean preemptible) {

  public static final Upgrade NONE =
      new Upgrade(
          null, null, null, null, null, Map.of(), List.of(), null, null, null, List.of(), null,
          null);

  public Upgrade {
    gpuNodeSelector =
        gpuNodeSelector == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(gpuNodeSelector));
    gpuTolerations = gpuTolerations == null ? List.of() : List.copyOf(gpuTolerations);
    nodeGroups = nodeGroups == null ? List.of() : List.copyOf(nodeGroups);
  }

  /** Parses a spec; {@code field} prefixes error messages (e.g. "spec.quota"). */
  public static Upgrade parse(String field, QuotaSpec spec, String defaultGpuResource) {
    if (spec == null) {
      return NONE;
    }
    GpuSpec gpu = spec.getGpu();
    Long gpuCount = gpu == null || gpu.getCount() == null ? null : gpu.getCount().longValue();
    if (gpuCount != null && gpuCount < 0) {
      throw new InvalidQuantityException(
          field + ".gpu.count", gpuCount.toString(), "must not be negative");
    }
    List<String> groups =
        spec.getNodeGroups() != null && !spec.getNodeGroups().isEmpty()
            ? spec.getNodeGroups().stream()
                .filter(g -> g != null && !g.isBlank())
                .distinct()
                .toList()
            : spec.getDedicatedNodeGroup() == null || spec.getDedicatedNodeGroup().isBlank()
                ? List.of()
                : List.of(spec.getDedicatedNodeGroup());
    return new Upgrade(
        spec.getCpu() == null ? null : Quantities.cpuMillis(field + ".cpu", spec.getCpu()),
        spec.getMemory() == null ? null : Quantities.bytes(field + ".memory", spec.getMemory()),
        spec.getEphemeralStorage() == null
            ? null
            : Quantities.bytes(field + ".ephemeralStorage", spec.getEphemeralStorage()),
        gpuCount,
        gpu == null || gpu.getResource() == null || gpu.getResource().isBlank()
            ? defaultGpuResource
            : gpu.getResource(),
        gpu == null ? Map.of() : gpu.getNodeSelector(),
        gpu == null ? List.of() : gpu.getTolerations(),
        spec.getAlwaysRunning(),
        spec.getIdleTimeout() == null
            ? null
            : Durations.parse(field + ".idleTimeout", spec.getIdleTimeout()),
        spec.getMaxDuration() == null
            ? null
            : Durations.parse(field + ".maxDuration", spec.getMaxDuration()),
        groups,
        spec.getGpuIdleTimeout() == null
            ? null
            : Durations.parse(field + ".gpuIdleTimeout", spec.getGpuIdleTimeout()),
        spec.getPreemptible());
  }

  public boolean hasGpu() {
    return gpu != null && gpu > 0;
  }
}
