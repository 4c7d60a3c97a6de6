package dev.quotient.admission;

import java.time.Instant;
import java.util.Set;

/**
 * A project in the wait queues.
 *
 * @param since when it started waiting: the queue order (status.waitingSince keeps it across
 *     restarts)
 * @param request what it asked for last time, so the ledger can tell whether it fits now
 * @param queuedIn the scopes whose queues it is in (empty when it never fits)
 * @param bottleneck why it waits, as last decided
 * @param neverFits it cannot fit even an empty scope: it holds nobody back
 */
public record WaitingProject(
    ProjectKey project,
    Instant since,
    AdmissionRequest request,
    Set<Scope> queuedIn,
    Bottleneck bottleneck,
    boolean neverFits) {
  public WaitingProject {
    queuedIn = Set.copyOf(queuedIn);
  }

  /** Queue order: who waited longest, then by name so the order is total. */
  boolean before(WaitingProject o) {
    int c = since.compareTo(o.since);
    return c != 0 ? c < 0 : project.compareTo(o.project) < 0;
  }
}
