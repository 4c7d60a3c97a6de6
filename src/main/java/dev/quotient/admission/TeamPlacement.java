package dev.quotient.admission;

import java.time.Instant;

/**
 * Where a lease sits among its node group's team shares (pod labels quotient.dev/team and
 * quotient.dev/borrowed carry it, so it survives restarts).
 *
 * @param team the team whose share it counts against; null for the unassigned part of the group
 * @param borrowed held beyond its team's share, on idle share of other teams (over-quota): it is
 *     preempted when an owning team needs that share back
 * @param since when a borrowed lease was admitted (the youngest are reclaimed first); null for
 *     leases within their share
 */
public record TeamPlacement(String team, boolean borrowed, Instant since) {
  public static TeamPlacement within(String team) {
    return new TeamPlacement(team, false, null);
  }

  public static TeamPlacement borrowing(String team, Instant since) {
    return new TeamPlacement(team, true, since);
  }
}
