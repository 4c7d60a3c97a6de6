package dev.quotient.admission;

import dev.quotient.quota.Resources;
import java.util.List;

/**
 * What one running (or starting) project holds: its requests and limits, the run slots of the
 * licenses it holds and its node group. Built from a pod's labels, so it survives operator
 * restarts.
 *
 * @param ephemeral an ephemeral run's lease: it holds an ephemeral run slot, not a running-project
 *     one (the pod's label quotient.dev/lifetime says so)
 */
public record Lease(
    ProjectKey project,
    String podName,
    Resources requests,
    Resources limits,
    List<String> licenses,
    String nodeGroup,
    boolean ephemeral) {
  public Lease {
    licenses = List.copyOf(licenses);
  }

  /** A persistent project's lease (a workspace). */
  public Lease(
      ProjectKey project,
      String podName,
      Resources requests,
      Resources limits,
      List<String> licenses,
      String nodeGroup) {
    this(project, podName, requests, limits, licenses, nodeGroup, false);
  }

  /** A lease whose limits are not known (pods from before limits were labelled): its requests. */
  public Lease(
      ProjectKey project,
      String podName,
      Resources requests,
      List<String> licenses,
      String nodeGroup) {
    this(project, podName, requests, requests, licenses, nodeGroup);
  }
}
