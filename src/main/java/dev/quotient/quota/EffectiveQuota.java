package dev.quotient.quota;

import io.fabric8.kubernetes.api.model.Toleration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a project runs with: limits, requests derived by the overcommit ratios, GPUs, timers and
 * placement, plus the licenses it holds while it runs.
 *
 * @param ephemeralStorageBytes 0 when no ephemeral-storage limit is set
 * @param alwaysRunningBy what makes it always-running ("license 'x'", "spec.adminQuota"), null when
 *     it is not
 * @param idleTimeout null when the project is never idle-stopped
 * @param maxDuration null when a run has no hard limit
 * @param gpuIdleTimeout null when the project is never stopped for idle GPUs
 * @param nodeGroups candidate DedicatedNodeGroups in priority order; empty = project nodes
 * @param preemptibleBy what makes it preemptible ("license 'x'", "spec.adminQuota"), null when
 *     nothing in the quota does (spec.preemptible is the user's own, read beside it)
 */
public record EffectiveQuota(
    Resources limits,
    Resources requests,
    long ephemeralStorageBytes,
    String gpuResource,
    Map<String, String> gpuNodeSelector,
    List<Toleration> gpuTolerations,
    boolean alwaysRunning,
    String alwaysRunningBy,
    Duration idleTimeout,
    Duration maxDuration,
    List<String> nodeGroups,
    List<String> appliedLicenses,
    List<LicensePatch> podPatches,
    Duration gpuIdleTimeout,
    String preemptibleBy) {

  public EffectiveQuota {
    gpuNodeSelector =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(gpuNodeSelector));
    gpuTolerations = List.copyOf(gpuTolerations);
    nodeGroups = List.copyOf(nodeGroups);
    appliedLicenses = List.copyOf(appliedLicenses);
    podPatches = List.copyOf(podPatches);
  }

  public Optional<Duration> idle() {
    return Optional.ofNullable(idleTimeout);
  }

  /** The same quota placed on one node group (admission picks it from the candidates). */
  public EffectiveQuota onNodeGroup(String group) {
    return new EffectiveQuota(
        limits,
        requests,
        ephemeralStorageBytes,
        gpuResource,
        gpuNodeSelector,
        gpuTolerations,
        alwaysRunning,
        alwaysRunningBy,
        idleTimeout,
        maxDuration,
        group == null ? List.of() : List.of(group),
        appliedLicenses,
        podPatches,
        gpuIdleTimeout,
        preemptibleBy);
  }

  /** Whether an applied license or the admin quota makes the project preemptible. */
  public boolean preemptible() {
    return preemptibleBy != null;
  }
}
