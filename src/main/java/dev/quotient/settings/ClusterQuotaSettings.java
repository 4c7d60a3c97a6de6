package dev.quotient.settings;

/**
 * Cluster-wide quota limits; a null field is derived from the project nodes' allocatable (or, for
 * the two counts, is no cap).
 *
 * @param runningProjects cap on running persistent projects (workspaces)
 * @param ephemeralProjects cap on running ephemeral runs
 */
public record ClusterQuotaSettings(
    boolean enabled,
    Long cpuMillis,
    Long memoryBytes,
    Long gpu,
    Long runningProjects,
    Long ephemeralProjects) {

  /** Without a cap on ephemeral runs. */
  public ClusterQuotaSettings(
      boolean enabled, Long cpuMillis, Long memoryBytes, Long gpu, Long runningProjects) {
    this(enabled, cpuMillis, memoryBytes, gpu, runningProjects, null);
  }
}
