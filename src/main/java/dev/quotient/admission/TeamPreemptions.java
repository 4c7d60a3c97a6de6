package dev.quotient.admission;

import java.time.Instant;
import java.util.List;

/**
 * The ledger's part of team shares, kept out of {@link LeaseLedger} itself: recording the
 * preemptions a fit check chose, and the placement a new lease gets.
 */
final class TeamPreemptions {
  private TeamPreemptions() {}

  /** Marks the leases the fit check chose to reclaim for {@code by}; adds them to {@code told}. */
  static void decide(
      ProjectKey by, FitCheck.Fit fit, TeamUsage teams, Instant now, List<ProjectKey> told) {
    if (fit.reclaim().isEmpty() || fit.neverFits() != null) {
      return;
    }
    // Short elsewhere too (the cluster quota, its namespace's): stopping borrowers would not let it
    // start, so nobody is preempted for it yet.
    for (Bottleneck b : fit.shortIn()) {
      if (!(b.scope() instanceof Scope.Team) && !(b.scope() instanceof Scope.NodeGroup)) {
        return;
      }
    }
    String team = null;
    for (Bottleneck b : fit.shortIn()) {
      if (b.scope() instanceof Scope.Team t) {
        team = t.team();
        break;
      }
    }
    for (Lease victim : fit.reclaim()) {
      teams.preempt(new Preemption(victim.project(), by, victim.nodeGroup(), team, now));
      told.add(victim.project());
    }
  }

  /**
   * The placement of a lease admitted now: a borrowed one remembers when (the youngest go first);
   * one within the unassigned part carries none, as its pod has no team labels.
   */
  static TeamPlacement placement(TeamPlacement fit, Instant now) {
    if (fit == null) {
      return null;
    }
    if (fit.borrowed()) {
      return TeamPlacement.borrowing(fit.team(), now);
    }
    return fit.team() == null ? null : fit;
  }
}
