package dev.quotient.controller;

import dev.quotient.web.HealthProbe;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * How the operator is, for {@code /healthz} and {@code /readyz}. Not alive when an informer has
 * stopped for good (the operator would decide on a cache that no longer follows the cluster) or the
 * lease ledger could not be rebuilt from the pods (it would admit against a wrong ledger): only a
 * restart helps. Ready once the caches have synced, their watches run and the ledger is rebuilt;
 * with leader election a standby replica is ready too (its caches and ledger are warm, which is
 * what a hand-over needs) and says it is standby.
 */
final class OperatorHealth implements HealthProbe {
  private final boolean leaderElection;
  private final String identity;
  private final Set<String> stoppedInformers = new ConcurrentSkipListSet<>();
  private volatile boolean started;
  private volatile boolean leading;
  private volatile String leader;
  private final List<Runnable> onStartLeading = new CopyOnWriteArrayList<>();
  private volatile Supplier<ProjectPodEventSource.LedgerRebuild> ledgerRebuild =
      () -> ProjectPodEventSource.LedgerRebuild.PENDING;
  private volatile Supplier<Map<String, ? extends Map<String, ?>>> unhealthyEventSources = Map::of;

  private final String startupNote;

  /**
   * @param identity this replica's leader-election identity, or null without leader election
   */
  OperatorHealth(String identity) {
    this(identity, null);
  }

  /**
   * @param startupNote what readiness adds while the caches sync (why the last start attempt
   *     failed), or null
   */
  OperatorHealth(String identity, String startupNote) {
    this.leaderElection = identity != null;
    this.identity = identity;
    this.startupNote = startupNote;
  }

  /** Whether the caches have synced and the operator runs. */
  boolean hasStarted() {
    return started;
  }

  /** What the ledger's start-up rebuild says, and which event sources JOSDK finds unhealthy. */
  void watch(
      Supplier<ProjectPodEventSource.LedgerRebuild> ledgerRebuild,
      Supplier<Map<String, ? extends Map<String, ?>>> unhealthyEventSources) {
    this.ledgerRebuild = ledgerRebuild;
    this.unhealthyEventSources = unhealthyEventSources;
  }

  /** The caches have synced: the operator has started (as leader or standby). */
  void started() {
    started = true;
  }

  void informerStopped(String resource) {
    stoppedInformers.add(resource);
  }

  /** Leader-election callbacks that keep track of who leads. */
  LeaderCallbacks leaderCallbacks() {
    return new LeaderCallbacks(
        () -> {
          leading = true;
          onStartLeading.forEach(Runnable::run);
        },
        () -> leading = false,
        newLeader -> leader = newLeader);
  }

  /**
   * Whether this replica may write: always without leader election, else while it holds the lease
   * (for the work outside JOSDK's reconcilers, which JOSDK starts only on the leader).
   */
  boolean leads() {
    return !leaderElection || leading;
  }

  /** Called when this replica becomes the leader. */
  void onStartLeading(Runnable r) {
    onStartLeading.add(r);
  }

  @Override
  public Check liveness() {
    if (!stoppedInformers.isEmpty()) {
      return Check.failing(
          "informer stopped and cannot resume: " + String.join(", ", stoppedInformers));
    }
    ProjectPodEventSource.LedgerRebuild rebuild = ledgerRebuild.get();
    if (rebuild.failure() != null) {
      return Check.failing("the lease ledger could not be rebuilt: " + rebuild.failure());
    }
    return Check.ok("ok");
  }

  @Override
  public Check readiness() {
    Check live = liveness();
    if (!live.ok()) {
      return live;
    }
    if (!started) {
      return Check.failing(
          "starting: caches not synced yet"
              + (startupNote == null ? "" : " (" + startupNote + ")"));
    }
    if (!ledgerRebuild.get().done()) {
      return Check.failing("starting: the lease ledger is not rebuilt yet");
    }
    // JOSDK lists every controller, with the event sources of it that are unhealthy (often none).
    Set<String> unhealthy = new TreeSet<>();
    unhealthyEventSources.get().values().forEach(sources -> unhealthy.addAll(sources.keySet()));
    if (!unhealthy.isEmpty()) {
      return Check.failing("event sources not healthy: " + String.join(", ", unhealthy));
    }
    if (!leaderElection) {
      return Check.ok("ready");
    }
    if (leading) {
      return Check.ok("ready: leader (" + identity + ")");
    }
    String current = leader;
    return Check.ok(
        "ready: standby ("
            + identity
            + "; leader: "
            + (current == null ? "none yet" : current)
            + ")");
  }
}
