package dev.quotient.web.dashboard;

import java.time.Instant;

/**
 * One refused start, as its Warning Event recorded it.
 *
 * @param reason QuotaRejected or NeverFits
 * @param resource the bottleneck resource's label (cpu, memory, namespace-quota, ...), read from
 *     the message
 */
public record Rejection(
    Instant time,
    String namespace,
    String project,
    String reason,
    String resource,
    String message) {

  public Rejection(Instant time, String namespace, String project, String reason, String message) {
    this(time, namespace, project, reason, resourceOf(message), message);
  }

  /**
   * The bottleneck resource named by an admission message: the Event carries only the message, and
   * every message of the ledger starts with what ran short ("memory: needs ...", "namespace quota
   * course/compute: ...", "never fits the cluster quota, ... (cpu: ...)").
   */
  public static String resourceOf(String message) {
    if (message == null) {
      return "unknown";
    }
    String m = message;
    if (m.startsWith("never fits ") && m.contains("(")) {
      m = m.substring(m.indexOf('(') + 1);
    }
    if (m.startsWith("namespace quota ")) {
      return "namespace-quota";
    }
    if (m.startsWith("node group ")) {
      return "node-group";
    }
    if (m.startsWith("queued behind ")) {
      return "queue";
    }
    if (m.startsWith("running projects:")) {
      return "running-projects";
    }
    for (String r : new String[] {"cpu", "memory", "gpu"}) {
      if (m.startsWith(r + ":")) {
        return r;
      }
    }
    return "unknown";
  }
}
