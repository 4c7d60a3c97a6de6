package dev.quotient.lifecycle;

import dev.quotient.status.StatusChange;
import dev.quotient.status.StatusEvent;
import java.time.Instant;
import java.util.List;

/**
 * What to do, what the status becomes, which Events to record and when to look again.
 *
 * @param status null: the step decides the status (a start: admission)
 * @param nextLook null: only the next event
 */
public record LifecycleDecision(
    Step step, StatusChange status, List<StatusEvent> events, Instant nextLook) {
  public LifecycleDecision {
    events = List.copyOf(events);
  }

  /** This decision with Events of an earlier one (a start's) recorded first. */
  public LifecycleDecision after(LifecycleDecision earlier) {
    List<StatusEvent> all = new java.util.ArrayList<>(earlier.events());
    all.addAll(events);
    return new LifecycleDecision(step, status, all, nextLook);
  }
}
