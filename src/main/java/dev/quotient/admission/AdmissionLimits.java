package dev.quotient.admission;

import dev.quotient.quota.Resources;
import java.util.Map;

/**
 * The limits one admission decision checks against, read from settings and caches.
 *
 * @param cluster cluster-wide cap on the summed requests (Long.MAX_VALUE = no cap)
 * @param maxRunningProjects cap on running projects (Long.MAX_VALUE = no cap)
 * @param nodeGroupCapacity allocatable of each DedicatedNodeGroup's members, by group name
 * @param namespaceQuotas the ResourceQuota objects of each namespace
 */
public record AdmissionLimits(
    Resources cluster,
    long maxRunningProjects,
    Map<String, Resources> nodeGroupCapacity,
    Map<String, java.util.List<NamespaceQuota>> namespaceQuotas) {

  public static final AdmissionLimits NONE =
      new AdmissionLimits(
          new Resources(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE),
          Long.MAX_VALUE,
          Map.of(),
          Map.of());

  public AdmissionLimits {
    nodeGroupCapacity = Map.copyOf(nodeGroupCapacity);
    namespaceQuotas = Map.copyOf(namespaceQuotas);
  }
}
