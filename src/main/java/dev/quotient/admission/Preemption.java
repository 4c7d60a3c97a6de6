package dev.quotient.admission;

import java.time.Instant;

/**
 * The ledger's decision that a borrowed lease must go: its project is stopped (stopReason
 * Preempted) so that {@code by}, a project of the team owning the share, can start.
 *
 * @param team the reclaiming team (null: the unassigned part of the group)
 */
public record Preemption(ProjectKey victim, ProjectKey by, String group, String team, Instant at) {
  /** For people: "course/alice (team physics) reclaims its share of node group gpu". */
  public String describe() {
    return by
        + " ("
        + (team == null ? "the unassigned part" : "team " + team)
        + ") reclaims its share of node group "
        + group;
  }
}
