package dev.quotient.admission;

import dev.quotient.quota.Resources;
import java.util.List;

/**
 * What one running (or starting) project holds: its requests, the run slots of the licenses it
 * holds and its node group. Built from a pod's labels, so it survives operator restarts.
 */
public record Lease(
    ProjectKey project,
    String podName,
    Resources requests,
    List<String> licenses,
    String nodeGroup) {
  public Lease {
    licenses = List.copyOf(licenses);
  }
}
