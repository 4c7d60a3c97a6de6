package dev.quotient.controller;

import java.time.Duration;

/**
 * Leader election on the coordination Lease {@code quotient-operator} in the operator's namespace:
 * every replica keeps its caches (and its lease ledger) warm, only the leader reconciles.
 *
 * @param exitOnStopLeading true in production: a replica that lost the lease exits and restarts
 *     clean
 */
public record LeaderElection(
    String identity,
    Duration leaseDuration,
    Duration renewDeadline,
    Duration retryPeriod,
    boolean exitOnStopLeading) {
  /**
   * The leader keeps renewing for {@link #PRODUCTION_RENEW_DEADLINE} while the API server is away
   * (a kube-apiserver restart: its watches drain, then a fresh one refuses with 403 until its RBAC
   * caches fill, about 20 s here), so an outage that short does not end the process. With the usual
   * 10 s the leader gave up and exited in the middle of every such restart. A standby takes over a
   * crashed leader only once the lease has run out, {@link #PRODUCTION_LEASE_DURATION}; a leader
   * that stops cleanly releases it at once, and one restarted with the same identity (POD_NAME)
   * takes it back at once.
   */
  public static LeaderElection production(String identity) {
    return new LeaderElection(
        identity,
        PRODUCTION_LEASE_DURATION,
        PRODUCTION_RENEW_DEADLINE,
        Duration.ofSeconds(2),
        true);
  }

  /** Longer than the renew deadline, so no standby takes the lease while the leader still acts. */
  public static final Duration PRODUCTION_LEASE_DURATION = Duration.ofSeconds(60);

  public static final Duration PRODUCTION_RENEW_DEADLINE = Duration.ofSeconds(45);
}
