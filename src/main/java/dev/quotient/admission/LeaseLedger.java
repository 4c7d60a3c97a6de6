package dev.quotient.admission;

import dev.quotient.quota.Resources;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one in-memory record of what running projects hold. Admission decisions run inside {@link
 * #decide}, one at a time, so two projects never take the same last slot; reconcilers reserve here
 * before they create a pod and release if the create fails. Pod events keep it in step with the
 * cluster, which also rebuilds it at start-up from the pods that exist.
 */
public final class LeaseLedger {
  private final Map<ProjectKey, Lease> leases = new HashMap<>();
  private final Map<String, Integer> licenseUse = new HashMap<>();
  private Resources total = Resources.ZERO;

  /** Projects waiting for resources, with when they started waiting: the wake-up order. */
  private final Map<ProjectKey, Instant> waiting = new HashMap<>();

  private final Map<String, Long> rejections = new TreeMap<>();
  private final java.util.Set<ProjectKey> impossible = new java.util.HashSet<>();
  private final List<Consumer<Lease>> listeners = new CopyOnWriteArrayList<>();

  private final List<Consumer<Lease>> releaseListeners = new CopyOnWriteArrayList<>();

  /** Called with each lease released: capacity freed, so waiting projects may now fit. */
  public void onRelease(Consumer<Lease> listener) {
    releaseListeners.add(listener);
  }

  /** Called with each lease reserved or released (to refresh License and node group status). */
  public void onChange(Consumer<Lease> listener) {
    listeners.add(listener);
  }

  /** Runs one admission decision with the ledger locked; the decision may reserve. */
  public synchronized <T> T decide(Function<LeaseLedger, T> decision) {
    return decision.apply(this);
  }

  public synchronized void reserve(Lease lease) {
    release(lease.project());
    waiting.remove(lease.project());
    leases.put(lease.project(), lease);
    total = total.plus(lease.requests());
    lease.licenses().forEach(l -> licenseUse.merge(l, 1, Integer::sum));
    listeners.forEach(c -> c.accept(lease));
  }

  public synchronized Optional<Lease> release(ProjectKey project) {
    Lease old = leases.remove(project);
    if (old != null) {
      total = total.minusFloorZero(old.requests());
      old.licenses().forEach(l -> licenseUse.computeIfPresent(l, (k, v) -> v > 1 ? v - 1 : null));
      listeners.forEach(c -> c.accept(old));
      releaseListeners.forEach(c -> c.accept(old));
    }
    return Optional.ofNullable(old);
  }

  /**
   * Releases the project's lease only if it is the one held by this pod (a newer pod may hold it).
   */
  public synchronized Optional<Lease> releaseIfPod(ProjectKey project, String podName) {
    Lease current = leases.get(project);
    if (current != null && current.podName().equals(podName)) {
      return release(project);
    }
    return Optional.empty();
  }

  /**
   * Decides whether a project may start now. Admitted: the caller reserves a lease and creates the
   * pod. Waiting: the project joins (or keeps its place in) the queue. Order is first come, first
   * served by when a project started waiting; a project behind may start first while the ones ahead
   * do not fit (backfill), but once the oldest has waited longer than {@code backfillFor} nobody
   * passes it any more, so it cannot starve. A project that could not fit even an empty cluster
   * never holds others back.
   */
  public synchronized AdmissionDecision admit(
      AdmissionRequest request, AdmissionLimits limits, Instant now, Duration backfillFor) {
    ProjectKey key = request.project();
    Instant since = waiting.getOrDefault(key, now);
    FitCheck.Usage usage = usage();
    for (ProjectKey ahead : queue()) {
      if (ahead.equals(key)) {
        break;
      }
      Instant aheadSince = waiting.get(ahead);
      if (aheadSince.isBefore(since)
          && Duration.between(aheadSince, now).compareTo(backfillFor) > 0
          && !impossible.contains(ahead)) {
        return waitFor(
            key,
            since,
            new Bottleneck(
                "queue",
                "queued behind "
                    + ahead
                    + ", which has waited longer than "
                    + backfillFor.toMinutes()
                    + "m and starts first"));
      }
    }
    Optional<Bottleneck> b = FitCheck.clusterBottleneck(request, limits, usage);
    if (b.isEmpty()) {
      b = FitCheck.namespaceBottleneck(request, limits, usage);
    }
    FitCheck.GroupChoice group = null;
    if (b.isEmpty()) {
      group = FitCheck.chooseGroup(request, limits, usage);
      b = Optional.ofNullable(group.bottleneck());
    }
    if (b.isPresent()) {
      if (FitCheck.couldEverFit(request, limits)) {
        impossible.remove(key);
      } else {
        impossible.add(key);
      }
      return waitFor(key, since, b.get());
    }
    waiting.remove(key);
    impossible.remove(key);
    return new AdmissionDecision.Admitted(group.group());
  }

  private AdmissionDecision waitFor(ProjectKey key, Instant since, Bottleneck b) {
    boolean first = !waiting.containsKey(key);
    waiting.put(key, since);
    if (first) {
      rejections.merge(b.resource(), 1L, Long::sum);
    }
    return new AdmissionDecision.Waiting(b.resource(), b.message(), queue().indexOf(key) + 1);
  }

  /** A wait decided outside the ledger (the API server refused the pod for namespace quota). */
  public synchronized AdmissionDecision.Waiting waitOutside(
      ProjectKey key, Bottleneck b, Instant now) {
    return (AdmissionDecision.Waiting) waitFor(key, waiting.getOrDefault(key, now), b);
  }

  /** Waiting projects in wake-up order. */
  public synchronized List<ProjectKey> queue() {
    return waiting.entrySet().stream()
        .sorted(
            Map.Entry.<ProjectKey, Instant>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey()))
        .map(Map.Entry::getKey)
        .toList();
  }

  /** A project no longer waiting (stopped, deleted, or started). */
  public synchronized void forget(ProjectKey key) {
    waiting.remove(key);
    impossible.remove(key);
  }

  /** How many times a project was first refused, by bottleneck resource (for the metric). */
  public synchronized Map<String, Long> rejectionsByResource() {
    return java.util.Collections.unmodifiableMap(new TreeMap<>(rejections));
  }

  private FitCheck.Usage usage() {
    return new FitCheck.Usage() {
      @Override
      public Resources total() {
        return total;
      }

      @Override
      public int projects() {
        return leases.size();
      }

      @Override
      public Resources onNodeGroup(String group) {
        return totalOnNodeGroup(group);
      }

      @Override
      public Resources inNamespace(String namespace) {
        return leases.values().stream()
            .filter(l -> l.project().namespace().equals(namespace))
            .map(Lease::requests)
            .reduce(Resources.ZERO, Resources::plus);
      }

      @Override
      public int projectsInNamespace(String namespace) {
        return (int)
            leases.values().stream().filter(l -> l.project().namespace().equals(namespace)).count();
      }
    };
  }

  /** Records a lease seen on a live pod, unless the same one is already held. */
  public synchronized void observe(Lease lease) {
    if (!lease.equals(leases.get(lease.project()))) {
      reserve(lease);
    }
  }

  public synchronized Optional<Lease> lease(ProjectKey project) {
    return Optional.ofNullable(leases.get(project));
  }

  /** Run slots of a license held by projects other than {@code except}. */
  public synchronized int licenseUse(String license, ProjectKey except) {
    int used = licenseUse.getOrDefault(license, 0);
    Lease own = except == null ? null : leases.get(except);
    return own != null && own.licenses().contains(license) ? used - 1 : used;
  }

  /** Run slots in use, by license. */
  public synchronized Map<String, Integer> licenseUse() {
    return java.util.Collections.unmodifiableMap(new TreeMap<>(licenseUse));
  }

  public synchronized List<ProjectKey> holdersOf(String license) {
    return leases.values().stream()
        .filter(l -> l.licenses().contains(license))
        .map(Lease::project)
        .sorted()
        .toList();
  }

  /** Requests held on one node group and how many projects hold them. */
  public synchronized Resources totalOnNodeGroup(String group) {
    return leases.values().stream()
        .filter(l -> group.equals(l.nodeGroup()))
        .map(Lease::requests)
        .reduce(Resources.ZERO, Resources::plus);
  }

  public synchronized int projectsOnNodeGroup(String group) {
    return (int) leases.values().stream().filter(l -> group.equals(l.nodeGroup())).count();
  }

  public synchronized Resources total() {
    return total;
  }

  public synchronized int size() {
    return leases.size();
  }

  public synchronized List<Lease> snapshot() {
    return List.copyOf(leases.values());
  }

  /** Replaces everything with the leases of the given pods (start-up and resync). */
  public synchronized void rebuild(Collection<Lease> fromPods) {
    List.copyOf(leases.keySet()).forEach(this::release);
    fromPods.forEach(this::reserve);
  }
}
