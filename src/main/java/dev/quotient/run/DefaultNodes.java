package dev.quotient.run;

import java.util.Map;

/**
 * What the local runs (embedded on the mock, local on kwok) share about their default nodes, {@code
 * /sim/nodes.yaml}: pool-1 and pool-2 are the general project nodes, physics-1 is for a node group,
 * gpu-1 is tainted for GPU pods.
 */
public final class DefaultNodes {
  /** Settings for these nodes: the general project nodes carry quotient.dev/project-node=true. */
  public static final Map<String, String> SETTINGS =
      Map.of("pod.projectNodeSelector", "quotient.dev/project-node=true");

  private DefaultNodes() {}
}
