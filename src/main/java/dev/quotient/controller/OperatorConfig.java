package dev.quotient.controller;

import java.time.Clock;

/**
 * Where the settings live and how the operator runs.
 *
 * @param leaderElection null to run without (one replica, tests, the embedded run)
 * @param exitOnInformerFailure true in production: an informer that stopped for good (its watch
 *     cannot resume) leaves the operator blind, so the process exits and the Deployment restarts it
 *     with fresh caches; in-process runs log the failure and keep their JVM
 */
public record OperatorConfig(
    String namespace,
    String settingsConfigMap,
    Clock clock,
    int reconcileThreads,
    LeaderElection leaderElection,
    Integer metricsPort,
    boolean exitOnInformerFailure,
    String dashboardHost,
    Integer dashboardPort) {
  public static OperatorConfig defaults(String namespace) {
    return new OperatorConfig(
        namespace,
        "quotient-settings",
        Clock.systemUTC(),
        50,
        null,
        null,
        false,
        "127.0.0.1",
        null);
  }

  public OperatorConfig withClock(Clock c) {
    return new OperatorConfig(
        namespace,
        settingsConfigMap,
        c,
        reconcileThreads,
        leaderElection,
        metricsPort,
        exitOnInformerFailure,
        dashboardHost,
        dashboardPort);
  }

  /** How many Projects are reconciled at once (each start waits for its pod create). */
  public OperatorConfig withReconcileThreads(int threads) {
    return new OperatorConfig(
        namespace,
        settingsConfigMap,
        clock,
        threads,
        leaderElection,
        metricsPort,
        exitOnInformerFailure,
        dashboardHost,
        dashboardPort);
  }

  public OperatorConfig withLeaderElection(LeaderElection le) {
    return new OperatorConfig(
        namespace,
        settingsConfigMap,
        clock,
        reconcileThreads,
        le,
        metricsPort,
        exitOnInformerFailure,
        dashboardHost,
        dashboardPort);
  }

  /** Serve /metrics, /healthz and /readyz on this port (0 = any free port); null = no server. */
  public OperatorConfig withMetricsPort(Integer port) {
    return new OperatorConfig(
        namespace,
        settingsConfigMap,
        clock,
        reconcileThreads,
        leaderElection,
        port,
        exitOnInformerFailure,
        dashboardHost,
        dashboardPort);
  }

  public OperatorConfig withExitOnInformerFailure(boolean exit) {
    return new OperatorConfig(
        namespace,
        settingsConfigMap,
        clock,
        reconcileThreads,
        leaderElection,
        metricsPort,
        exit,
        dashboardHost,
        dashboardPort);
  }

  /**
   * Serve the dashboard (a read-only page and its JSON API, no login) on this port (0 = any free
   * port); null = no dashboard.
   */
  public OperatorConfig withDashboardPort(Integer port) {
    return new OperatorConfig(
        namespace,
        settingsConfigMap,
        clock,
        reconcileThreads,
        leaderElection,
        metricsPort,
        exitOnInformerFailure,
        dashboardHost,
        port);
  }

  /**
   * The address the dashboard binds to: 127.0.0.1 by default, since it has no login (reach it with
   * {@code kubectl port-forward}).
   */
  public OperatorConfig withDashboardHost(String host) {
    return new OperatorConfig(
        namespace,
        settingsConfigMap,
        clock,
        reconcileThreads,
        leaderElection,
        metricsPort,
        exitOnInformerFailure,
        host,
        dashboardPort);
  }
}
