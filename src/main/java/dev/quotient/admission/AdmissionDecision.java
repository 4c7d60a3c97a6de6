package dev.quotient.admission;

/**
 * The outcome of asking to start: admitted (on a node group, or none), or waiting with the
 * bottleneck.
 */
public sealed interface AdmissionDecision {
  /**
   * @param nodeGroup the node group chosen from the candidates, null for project nodes
   */
  record Admitted(String nodeGroup) implements AdmissionDecision {}

  /**
   * @param resource the bottleneck resource (cpu, memory, gpu, running-projects, node-group,
   *     namespace-quota, queue), also the metric label
   * @param message for people: "memory: needs 8Gi, 2Gi of 64Gi free"
   * @param queuePosition 1 = next to wake
   */
  record Waiting(String resource, String message, int queuePosition) implements AdmissionDecision {}
}
