package dev.quotient.admission;

/**
 * What a waiting project is short of. The label names the resource in metrics and in the README;
 * the enum is what code compares.
 */
public enum BottleneckResource {
  RunningProjects("running-projects"),
  /** The cluster's slots for ephemeral runs (clusterQuota.ephemeralProjects). */
  EphemeralProjects("ephemeral-projects"),
  Cpu("cpu"),
  Memory("memory"),
  Gpu("gpu"),
  NodeGroup("node-group"),
  NamespaceQuota("namespace-quota"),
  /** A team's guaranteed share of a node group (used up, or lent out and being reclaimed). */
  TeamShare("team-share"),
  /** Not short of anything itself: an older project of the same scope goes first. */
  Queue("queue");

  private final String label;

  BottleneckResource(String label) {
    this.label = label;
  }

  /** The metric label ({@code quotient_admission_rejections_total{resource="cpu"}}). */
  public String label() {
    return label;
  }
}
