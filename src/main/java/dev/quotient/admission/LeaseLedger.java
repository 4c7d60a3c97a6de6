package dev.quotient.admission;

import dev.quotient.quota.Resources;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one in-memory record of what running projects hold. Admission decisions run inside
 * {@link #decide}, one at a time, so two projects never take the same last slot; reconcilers
 * reserve here before they create a pod and release if the create fails. Pod events keep it in
 * step with the cluster, which also rebuilds it at start-up from the pods that exist.
 */
public final class LeaseLedger {
  private final Map<ProjectKey, Lease> leases = new HashMap<>();
  private final Map<String, Integer> licenseUse = new HashMap<>();
  private Resources total = Resources.ZERO;
  private final List<Consumer<Lease>> listeners = new CopyOnWriteArrayList<>();

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
    }
    return Optional.ofNullable(old);
  }

  /** Releases the project's lease only if it is the one held by this pod (a newer pod may hold it). */
  public synchronized Optional<Lease> releaseIfPod(ProjectKey project, String podName) {
    Lease current = leases.get(project);
    if (current != null && current.podName().equals(podName)) {
      return release(project);
    }
    return Optional.empty();
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

  public synchronized List<ProjectKey> holdersOf(String license) {
    return leases.values().stream().filter(l -> l.licenses().contains(license))
        .map(Lease::project).sorted().toList();
  }

  /** Requests held on one node group and how many projects hold them. */
  public synchronized Resources totalOnNodeGroup(String group) {
    return leases.values().stream().filter(l -> group.equals(l.nodeGroup()))
        .map(Lease::requests).reduce(Resources.ZERO, Resources::plus);
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
