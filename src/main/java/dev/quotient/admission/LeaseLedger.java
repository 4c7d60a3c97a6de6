package dev.quotient.admission;

import dev.quotient.quota.Resources;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one in-memory record of what running projects hold and who waits, per scope, in which order.
 * {@link #admit} decides and reserves in one step under the ledger's lock, so two projects never
 * take the same last slot; the caller creates the pod outside the lock and releases the lease if
 * that fails (Kueue's assume, then persist, then forget on failure). Pod events keep it in step
 * with the cluster, which also rebuilds it at start-up from the pods that exist. Listeners are
 * called after the lock is released.
 */
public final class LeaseLedger {
  private final Map<ProjectKey, Lease> leases = new HashMap<>();
  private final Usage usage = new Usage();
  private final Map<ProjectKey, WaitingProject> waiting = new HashMap<>();
  private final Map<BottleneckResource, Long> rejections = new EnumMap<>(BottleneckResource.class);
  private final List<Consumer<Lease>> changeListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<List<ProjectKey>>> wakeListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<List<ProjectKey>>> preemptListeners = new CopyOnWriteArrayList<>();
  private Supplier<List<RestoredWait>> queueSource = List::of;
  private boolean queueRestored;
  private long version;
  private LedgerSnapshot snapshot;
  private long snapshotVersion = -1;

  /** A waiting project as persisted in its status, to rebuild the queues after a restart. */
  public record RestoredWait(ProjectKey project, Instant since, AdmissionRequest request) {}

  /** Called with each lease reserved or released (to refresh License and node group status). */
  public void onChange(Consumer<Lease> listener) {
    changeListeners.add(listener);
  }

  /**
   * Called with the waiting projects, in wake-up order, whenever capacity was freed or a project
   * left a queue: they may fit now.
   */
  public void onWake(Consumer<List<ProjectKey>> listener) {
    wakeListeners.add(listener);
  }

  /**
   * Called with the projects whose borrowed team share was just reclaimed: their pods are to be
   * deleted (stopReason Preempted), see {@link #preemption}.
   */
  public void onPreempt(Consumer<List<ProjectKey>> listener) {
    preemptListeners.add(listener);
  }

  /**
   * The preemption decided for a project whose lease is borrowed team share, while it still holds
   * that lease (empty: none).
   */
  public synchronized Optional<Preemption> preemption(ProjectKey project) {
    return usage.teams().preemption(project);
  }

  /**
   * Where the waiting projects of an earlier run come from (the Projects' status.waitingSince):
   * read once, before the first admission, so the queue order survives restarts and leader changes.
   */
  public synchronized void restoreQueueFrom(Supplier<List<RestoredWait>> source) {
    this.queueSource = source;
  }

  /**
   * Decides whether a project may start now and, if it may, reserves its lease.
   *
   * <p>Each scope keeps a first-come-first-served queue of the projects short in it. A project that
   * fits is still held back in a scope it takes from by an older project queued there that fits now
   * (it is about to start) or that has waited longer than {@code backfillFor} (nobody passes it any
   * more, so it cannot starve). Younger projects may otherwise start before an older one that does
   * not fit (backfill). A project that cannot fit a scope even when it is empty holds nobody back.
   *
   * @param ask builds the request from the licenses' free run slots (the quota depends on them)
   */
  public AdmissionDecision admit(
      ProjectKey key,
      Function<LicenseSlots, AdmissionRequest> ask,
      AdmissionLimits limits,
      Instant now,
      Duration backfillFor) {
    Notifications out = new Notifications();
    AdmissionDecision decision;
    synchronized (this) {
      restoreQueueOnce(limits);
      WaitingProject previous = waiting.get(key);
      Instant since = previous != null ? previous.since() : now;
      Lease own = leases.get(key);
      AdmissionRequest request =
          ask.apply(
              license ->
                  usage.license(license)
                      - (own != null && own.licenses().contains(license) ? 1 : 0));
      FitCheck.Fit fit = FitCheck.fit(request, limits, usage);
      TeamPreemptions.decide(key, fit, usage.teams(), now, out.preempted);
      if (fit.neverFits() != null) {
        decision = waitFor(key, since, request, Set.of(), fit.neverFits(), true);
      } else {
        WaitingProject me = new WaitingProject(key, since, request, Set.of(), null, false);
        Bottleneck held = heldBack(me, fit.takesFrom(), limits, now, backfillFor);
        Set<Scope> queuedIn = new LinkedHashSet<>();
        fit.shortIn().forEach(b -> queuedIn.add(b.scope()));
        // Its own shortfall is what it waits for first; being behind an older project only
        // when it would otherwise fit.
        if (!fit.shortIn().isEmpty()) {
          decision = waitFor(key, since, request, queuedIn, fit.shortIn().get(0), false);
        } else if (held != null) {
          queuedIn.add(held.scope());
          decision = waitFor(key, since, request, queuedIn, held, false);
        } else {
          Lease lease =
              new Lease(
                  key,
                  request.podName(),
                  request.requests(),
                  request.limits(),
                  request.licenses(),
                  fit.group(),
                  request.ephemeral(),
                  TeamPreemptions.placement(fit.team(), now));
          reserve(lease, out);
          decision = new AdmissionDecision.Admitted(lease);
        }
      }
    }
    out.fire();
    return decision;
  }

  private Bottleneck heldBack(
      WaitingProject me,
      List<Scope> takesFrom,
      AdmissionLimits limits,
      Instant now,
      Duration backfillFor) {
    WaitingProject first = null;
    Scope firstScope = null;
    boolean firstWaitedLong = false;
    for (WaitingProject other : waiting.values()) {
      if (other.neverFits() || other.project().equals(me.project()) || !other.before(me)) {
        continue;
      }
      Scope shared = takesFrom.stream().filter(other.queuedIn()::contains).findFirst().orElse(null);
      if (shared == null || (first != null && !other.before(first))) {
        continue;
      }
      boolean waitedLong = Duration.between(other.since(), now).compareTo(backfillFor) > 0;
      if (waitedLong || FitCheck.fit(other.request(), limits, usage).fits()) {
        first = other;
        firstScope = shared;
        firstWaitedLong = waitedLong;
      }
    }
    if (first == null) {
      return null;
    }
    return new Bottleneck(
        BottleneckResource.Queue,
        firstScope,
        "queued behind "
            + first.project()
            + " in "
            + firstScope.describe()
            + ", which "
            + (firstWaitedLong
                ? "has waited longer than "
                    + dev.quotient.quota.Durations.format(backfillFor)
                    + " and starts first"
                : "fits now and starts first"));
  }

  private AdmissionDecision.Waiting waitFor(
      ProjectKey key,
      Instant since,
      AdmissionRequest request,
      Set<Scope> queuedIn,
      Bottleneck bottleneck,
      boolean neverFits) {
    WaitingProject w = new WaitingProject(key, since, request, queuedIn, bottleneck, neverFits);
    if (waiting.put(key, w) == null) {
      rejections.merge(bottleneck.resource(), 1L, Long::sum);
    }
    version++;
    int position = neverFits ? 0 : position(w, bottleneck.scope());
    return new AdmissionDecision.Waiting(bottleneck, position, neverFits, since);
  }

  private int position(WaitingProject w, Scope scope) {
    int ahead = 0;
    for (WaitingProject other : waiting.values()) {
      if (!other.neverFits() && other.queuedIn().contains(scope) && other.before(w)) {
        ahead++;
      }
    }
    return ahead + 1;
  }

  private void restoreQueueOnce(AdmissionLimits limits) {
    if (queueRestored) {
      return;
    }
    queueRestored = true;
    List<RestoredWait> restored = new ArrayList<>(queueSource.get());
    restored.sort(Comparator.comparing(RestoredWait::since).thenComparing(RestoredWait::project));
    for (RestoredWait r : restored) {
      if (waiting.containsKey(r.project()) || leases.containsKey(r.project())) {
        continue;
      }
      FitCheck.Fit fit = FitCheck.fit(r.request(), limits, usage);
      Set<Scope> queuedIn = new LinkedHashSet<>();
      Bottleneck b;
      if (fit.neverFits() != null) {
        b = fit.neverFits();
      } else if (!fit.shortIn().isEmpty()) {
        fit.shortIn().forEach(s -> queuedIn.add(s.scope()));
        b = fit.shortIn().get(0);
      } else {
        // It fits now and is about to be reconciled: it keeps its place ahead of newer projects.
        queuedIn.addAll(fit.takesFrom());
        b = new Bottleneck(BottleneckResource.Queue, Scope.CLUSTER, "about to start");
      }
      waiting.put(
          r.project(),
          new WaitingProject(
              r.project(), r.since(), r.request(), queuedIn, b, fit.neverFits() != null));
    }
    version++;
  }

  /** A wait decided outside the ledger: the API server refused the pod for its namespace quota. */
  public AdmissionDecision.Waiting waitOutside(
      AdmissionRequest request, BottleneckResource resource, String message, Instant now) {
    Notifications out = new Notifications();
    AdmissionDecision.Waiting w;
    synchronized (this) {
      ProjectKey key = request.project();
      WaitingProject previous = waiting.get(key);
      Scope scope = new Scope.Namespace(key.namespace());
      w =
          waitFor(
              key,
              previous != null ? previous.since() : now,
              request,
              Set.of(scope),
              new Bottleneck(resource, scope, message),
              false);
    }
    out.fire();
    return w;
  }

  /** Reserves a lease (tests, and pods seen that the ledger did not know). */
  public void reserve(Lease lease) {
    Notifications out = new Notifications();
    synchronized (this) {
      reserve(lease, out);
    }
    out.fire();
  }

  private void reserve(Lease lease, Notifications out) {
    Lease old = leases.put(lease.project(), lease);
    if (old != null) {
      usage.remove(old);
      out.changed(old);
      out.wake = true;
    }
    usage.add(lease);
    out.changed(lease);
    leave(lease.project(), out);
    version++;
  }

  public Optional<Lease> release(ProjectKey project) {
    Notifications out = new Notifications();
    Optional<Lease> old;
    synchronized (this) {
      old = release(project, out);
    }
    out.fire();
    return old;
  }

  private Optional<Lease> release(ProjectKey project, Notifications out) {
    Lease old = leases.remove(project);
    if (old != null) {
      usage.remove(old);
      out.changed(old);
      out.wake = true;
      version++;
    }
    return Optional.ofNullable(old);
  }

  /** Releases the project's lease only if this pod holds it (a newer pod may hold it). */
  public Optional<Lease> releaseIfPod(ProjectKey project, String podName) {
    Notifications out = new Notifications();
    Optional<Lease> old = Optional.empty();
    synchronized (this) {
      Lease current = leases.get(project);
      if (current != null && current.podName().equals(podName)) {
        old = release(project, out);
      }
    }
    out.fire();
    return old;
  }

  /** Records a lease seen on a live pod, unless the same one is already held. */
  public void observe(Lease lease) {
    Notifications out = new Notifications();
    synchronized (this) {
      if (!lease.equals(leases.get(lease.project()))) {
        reserve(lease, out);
      }
    }
    out.fire();
  }

  /** A project no longer waiting (stopped, deleted, or started elsewhere). */
  public void forget(ProjectKey key) {
    Notifications out = new Notifications();
    synchronized (this) {
      leave(key, out);
    }
    out.fire();
  }

  private void leave(ProjectKey key, Notifications out) {
    if (waiting.remove(key) != null) {
      out.wake = true;
      version++;
    }
  }

  /** Replaces every lease with those of the given pods (start-up and resync). */
  public void rebuild(Collection<Lease> fromPods) {
    Notifications out = new Notifications();
    synchronized (this) {
      List.copyOf(leases.keySet()).forEach(k -> release(k, out));
      fromPods.forEach(l -> reserve(l, out));
    }
    out.fire();
  }

  /** Waiting projects in wake-up order (longest waiting first). */
  public synchronized List<ProjectKey> queue() {
    return sortedWaiting().stream().map(WaitingProject::project).toList();
  }

  private List<WaitingProject> sortedWaiting() {
    return waiting.values().stream()
        .sorted(Comparator.comparing(WaitingProject::since).thenComparing(WaitingProject::project))
        .toList();
  }

  public synchronized Optional<WaitingProject> waiting(ProjectKey key) {
    return Optional.ofNullable(waiting.get(key));
  }

  /** An immutable view for readers; the same object until the ledger changes. */
  public synchronized LedgerSnapshot snapshot() {
    if (snapshotVersion != version || snapshot == null) {
      snapshot = new LedgerSnapshot(List.copyOf(leases.values()), sortedWaiting(), rejections);
      snapshotVersion = version;
    }
    return snapshot;
  }

  /** How many times a project was first refused, by bottleneck resource label (the metric). */
  public synchronized Map<String, Long> rejectionsByResource() {
    Map<String, Long> out = new TreeMap<>();
    rejections.forEach((k, v) -> out.put(k.label(), v));
    return out;
  }

  public synchronized Optional<Lease> lease(ProjectKey project) {
    return Optional.ofNullable(leases.get(project));
  }

  /** Run slots of a license held by projects other than {@code except}. */
  public synchronized int licenseUse(String license, ProjectKey except) {
    int used = usage.license(license);
    Lease own = except == null ? null : leases.get(except);
    return own != null && own.licenses().contains(license) ? used - 1 : used;
  }

  /** Run slots in use, by license. */
  public synchronized Map<String, Integer> licenseUse() {
    return java.util.Collections.unmodifiableMap(new TreeMap<>(usage.licenses()));
  }

  public synchronized List<ProjectKey> holdersOf(String license) {
    return leases.values().stream()
        .filter(l -> l.licenses().contains(license))
        .map(Lease::project)
        .sorted()
        .toList();
  }

  /** Requests held on one node group. */
  public synchronized Resources totalOnNodeGroup(String group) {
    return usage.group(group).requests();
  }

  public synchronized int projectsOnNodeGroup(String group) {
    return usage.group(group).projects();
  }

  public synchronized Resources total() {
    return usage.cluster().requests();
  }

  public synchronized int size() {
    return leases.size();
  }

  /** What one locked operation changed, told to the listeners once the lock is released. */
  private final class Notifications {
    private final List<Lease> changed = new ArrayList<>();
    private final List<ProjectKey> preempted = new ArrayList<>();
    private boolean wake;

    void changed(Lease lease) {
      changed.add(lease);
    }

    void fire() {
      changed.forEach(l -> changeListeners.forEach(c -> c.accept(l)));
      if (!preempted.isEmpty()) {
        List<ProjectKey> victims = List.copyOf(preempted);
        preemptListeners.forEach(c -> c.accept(victims));
      }
      if (wake && !wakeListeners.isEmpty()) {
        List<ProjectKey> queue = queue();
        if (!queue.isEmpty()) {
          wakeListeners.forEach(c -> c.accept(queue));
        }
      }
    }
  }
}
