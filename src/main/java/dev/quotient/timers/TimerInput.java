package dev.quotient.timers;

import java.time.Duration;
import java.time.Instant;

/**
 * What the timers of one running project look at; every time is persisted (pod, annotation), so the
 * timers survive operator restarts.
 *
 * @param podCreated when the pod was created
 * @param runStarted when the pod started running (null while pending)
 * @param lastActivity the quotient.dev/last-activity annotation as written (null when absent)
 * @param idleTimeout null = never idle-stopped
 * @param maxDuration null = no hard limit
 * @param gpuActivity the quotient.dev/gpu-last-activity annotation as written (null when absent)
 * @param gpuIdleTimeout null = never stopped for idle GPUs
 */
public record TimerInput(
    Instant now,
    Instant podCreated,
    Instant runStarted,
    String lastActivity,
    Duration idleTimeout,
    Duration maxDuration,
    boolean alwaysRunning,
    Duration pendingTimeout,
    String gpuActivity,
    Duration gpuIdleTimeout) {

  /** Timers of a project whose GPUs are not watched. */
  public TimerInput(
      Instant now,
      Instant podCreated,
      Instant runStarted,
      String lastActivity,
      Duration idleTimeout,
      Duration maxDuration,
      boolean alwaysRunning,
      Duration pendingTimeout) {
    this(
        now,
        podCreated,
        runStarted,
        lastActivity,
        idleTimeout,
        maxDuration,
        alwaysRunning,
        pendingTimeout,
        null,
        null);
  }
}
