package dev.quotient.timers;

import java.time.Instant;

/** What the timers say about a project now. */
public sealed interface TimerDecision {
  /** Nothing due; look again at {@code nextDue} (null when no timer runs). */
  record NotDue(Instant nextDue) implements TimerDecision {}

  /** Stop the project: IdleTimeout, MaxDuration or PendingTimeout. */
  record Stop(dev.quotient.api.StopReason reason, String message) implements TimerDecision {}
}
