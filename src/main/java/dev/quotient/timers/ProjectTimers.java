package dev.quotient.timers;

import dev.quotient.api.StopReason;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.stream.Stream;

/**
 * "Is this project due to stop?" over an injected time: a pod that never started within
 * pendingTimeout, a run longer than maxDuration, no activity for idleTimeout, or GPUs idle for
 * gpuIdleTimeout. Activity that is missing counts from the start of the run; activity that cannot
 * be read counts as now (a project is never stopped on a clock it cannot read), and always-running
 * projects are never idle-stopped.
 */
public final class ProjectTimers {
  private ProjectTimers() {}

  public static TimerDecision evaluate(TimerInput in) {
    Instant now = in.now();
    if (in.runStarted() == null) {
      Instant due = in.pendingTimeout() == null ? null : in.podCreated().plus(in.pendingTimeout());
      if (due != null && !now.isBefore(due)) {
        return new TimerDecision.Stop(
            StopReason.PendingTimeout,
            "The pod did not start within " + format(in.pendingTimeout()));
      }
      return new TimerDecision.NotDue(due);
    }
    Instant maxDue = in.maxDuration() == null ? null : in.runStarted().plus(in.maxDuration());
    if (maxDue != null && !now.isBefore(maxDue)) {
      return new TimerDecision.Stop(
          StopReason.MaxDuration, "Ran for its maximum duration of " + format(in.maxDuration()));
    }
    Instant idleDue = null;
    if (!in.alwaysRunning() && in.idleTimeout() != null) {
      Instant activity = activity(in.lastActivity(), now);
      Instant lastActive =
          activity == null || activity.isBefore(in.runStarted()) ? in.runStarted() : activity;
      idleDue = lastActive.plus(in.idleTimeout());
      if (!now.isBefore(idleDue)) {
        return new TimerDecision.Stop(
            StopReason.IdleTimeout,
            "No activity since " + lastActive + " (idle timeout " + format(in.idleTimeout()) + ")");
      }
    }
    Instant gpuDue = null;
    if (!in.alwaysRunning() && in.gpuIdleTimeout() != null) {
      Instant activity = activity(in.gpuActivity(), now);
      Instant lastBusy =
          activity == null || activity.isBefore(in.runStarted()) ? in.runStarted() : activity;
      gpuDue = lastBusy.plus(in.gpuIdleTimeout());
      if (!now.isBefore(gpuDue)) {
        return new TimerDecision.Stop(
            StopReason.GpuIdle,
            "No GPU activity since "
                + lastBusy
                + " (GPU idle timeout "
                + format(in.gpuIdleTimeout())
                + ")");
      }
    }
    return new TimerDecision.NotDue(
        Stream.of(maxDue, idleDue, gpuDue)
            .filter(java.util.Objects::nonNull)
            .min(Instant::compareTo)
            .orElse(null));
  }

  /** The activity time, null when absent, {@code now} when unreadable. */
  static Instant activity(String annotation, Instant now) {
    if (annotation == null || annotation.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(annotation.trim()).toInstant();
    } catch (DateTimeParseException e) {
      return now;
    }
  }

  private static String format(java.time.Duration d) {
    return dev.quotient.quota.Durations.format(d);
  }
}
