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
 * @param clusterQuotaNodes the nodes a derived cluster quota counts (empty when the settings set
 *     it, or it is off)
 * @param nodeGroupNodes the allocatable of each member node, by group name: a project fits a group
 *     only if one node can hold it (absent: only the summed capacity is checked)
 * @param maxEphemeralProjects cap on running ephemeral runs (Long.MAX_VALUE = no cap); {@code
 *     maxRunningProjects} counts the persistent projects only
 * @param nodeGroupTeams the team shares of each group that has them, by group name
 */
public record AdmissionLimits(
    Resources cluster,
    long maxRunningProjects,
    Map<String, Resources> nodeGroupCapacity,
    Map<String, java.util.List<NamespaceQuota>> namespaceQuotas,
    java.util.List<String> clusterQuotaNodes,
    Map<String, java.util.List<Resources>> nodeGroupNodes,
    long maxEphemeralProjects,
    Map<String, TeamShares> nodeGroupTeams) {

  public static final AdmissionLimits NONE =
      new AdmissionLimits(
          new Resources(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE),
          Long.MAX_VALUE,
          Map.of(),
          Map.of());

  public AdmissionLimits {
    nodeGroupCapacity = Map.copyOf(nodeGroupCapacity);
    namespaceQuotas = Map.copyOf(namespaceQuotas);
    clusterQuotaNodes = java.util.List.copyOf(clusterQuotaNodes);
    nodeGroupNodes = Map.copyOf(nodeGroupNodes);
    nodeGroupTeams = Map.copyOf(nodeGroupTeams);
  }

  /** Limits without a cap on ephemeral runs, of groups without team shares. */
  public AdmissionLimits(
      Resources cluster,
      long maxRunningProjects,
      Map<String, Resources> nodeGroupCapacity,
      Map<String, java.util.List<NamespaceQuota>> namespaceQuotas,
      java.util.List<String> clusterQuotaNodes,
      Map<String, java.util.List<Resources>> nodeGroupNodes) {
    this(
        cluster,
        maxRunningProjects,
        nodeGroupCapacity,
        namespaceQuotas,
        clusterQuotaNodes,
        nodeGroupNodes,
        Long.MAX_VALUE,
        Map.of());
  }

  /** The same limits with these groups' team shares. */
  public AdmissionLimits withNodeGroupTeams(Map<String, TeamShares> teams) {
    return new AdmissionLimits(
        cluster,
        maxRunningProjects,
        nodeGroupCapacity,
        namespaceQuotas,
        clusterQuotaNodes,
        nodeGroupNodes,
        maxEphemeralProjects,
        teams);
  }

  /** This with another cap on ephemeral runs. */
  public AdmissionLimits withMaxEphemeralProjects(long max) {
    return new AdmissionLimits(
        cluster,
        maxRunningProjects,
        nodeGroupCapacity,
        namespaceQuotas,
        clusterQuotaNodes,
        nodeGroupNodes,
        max,
        nodeGroupTeams);
  }

  /** Limits with a cluster quota set outright (no nodes counted). */
  public AdmissionLimits(
      Resources cluster,
      long maxRunningProjects,
      Map<String, Resources> nodeGroupCapacity,
      Map<String, java.util.List<NamespaceQuota>> namespaceQuotas) {
    this(
        cluster,
        maxRunningProjects,
        nodeGroupCapacity,
        namespaceQuotas,
        java.util.List.of(),
        Map.of());
  }
}
