package dev.quotient.admission;

import dev.quotient.quota.Resources;
import java.util.List;

/**
 * What one running (or starting) project holds: its requests and limits, the run slots of the
 * licenses it holds, its node group and, on a group with team shares, where it sits among them.
 * Built from a pod's labels, so it survives operator restarts.
 *
 * @param ephemeral an ephemeral run's lease: it holds an ephemeral run slot, not a running-project
 *     one (the pod's label quotient.dev/lifetime says so)
 * @param team its team share on the group (null: the group has no teams, or the unassigned part
 *     within its share)
 */
public record Lease(
    ProjectKey project,
    String podName,
    Resources requests,
    Resources limits,
    List<String> licenses,
    String nodeGroup,
    boolean ephemeral,
    TeamPlacement team) {
  public Lease {
    licenses = List.copyOf(licenses);
  }

  /** A persistent project's lease (a workspace) on a group without team shares. */
  public Lease(
      ProjectKey project,
      String podName,
      Resources requests,
      Resources limits,
      List<String> licenses,
      String nodeGroup) {
    this(project, podName, requests, limits, licenses, nodeGroup, false, null);
  }

  /** The team it counts against on its group (null: the unassigned part). */
  public String teamName() {
    return team == null ? null : team.team();
  }

  /** Held on idle share of other teams: it may be preempted. */
  public boolean borrowed() {
    return team != null && team.borrowed();
  }
}
