package dev.quotient.lifecycle;

import dev.quotient.status.StatusChange;
import java.time.Instant;
import java.util.List;

/**
 * What to do, what the status becomes, which Events to record and when to look again.
 *
 * @param status null: write no status (the Project is gone, or the step decides it)
 * @param nextLook null: only the next event
 */
public record LifecycleDecision(
    Step step, StatusChange status, List<Notice> notices, Instant nextLook) {
  public LifecycleDecision {
    notices = List.copyOf(notices);
  }

  /** This decision with Events of an earlier one (a start's) recorded first. */
  public LifecycleDecision after(LifecycleDecision earlier) {
    List<Notice> all = new java.util.ArrayList<>(earlier.notices());
    all.addAll(notices);
    return new LifecycleDecision(step, status, all, nextLook);
  }
}
