package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonCreator;

/** Why a project's pod went away (status.stopReason for the ones that stop it). */
public enum StopReason {
  /** Its user set desiredState: Stopped. */
  UserStopped,
  /** No activity for its idle timeout. */
  IdleTimeout,
  /** It ran for its maxDuration. */
  MaxDuration,
  /** Its pod did not start within pendingTimeout; it retries after the same time. */
  PendingTimeout,
  /** Its pod failed or ended. */
  PodFailed,
  /** The node its pod ran on went away. */
  NodeLost,
  /** Another team reclaimed the share it borrowed. */
  Preempted,
  /** Its GPUs were idle for the license's gpuIdleTimeout. */
  GpuIdle,
  /** Restarted so that a changed spec.licenses applies (not a stop: it starts again at once). */
  LicenseChange,
  /**
   * Its pod could not be scheduled in its node group: restarted in the next group of its list (not
   * a stop).
   */
  NodeGroupFallback,
  /**
   * An ephemeral run's command ran to its end: status.exitCode says how (Succeeded with 0, Failed
   * otherwise).
   */
  Finished;

  /** {@link LenientEnums}: an unknown value reads as null. */
  @JsonCreator
  public static StopReason fromJson(String value) {
    return LenientEnums.valueOrNull(StopReason.class, value);
  }

  /**
   * Whether a project stopped for this reason stays stopped until new activity or a spec change
   * (unless it is always-running). A user stop lasts as long as desiredState says so instead.
   */
  public boolean holds() {
    return switch (this) {
      case IdleTimeout, MaxDuration, PendingTimeout, PodFailed, NodeLost, GpuIdle, Finished -> true;
      // A preempted project still wants to run: it waits for room like any waiting project.
      case UserStopped, LicenseChange, NodeGroupFallback, Preempted -> false;
    };
  }

  /** Whether it is recorded as the project's stop (status.stopReason), not a restart. */
  public boolean recorded() {
    return this != LicenseChange && this != NodeGroupFallback;
  }
}
