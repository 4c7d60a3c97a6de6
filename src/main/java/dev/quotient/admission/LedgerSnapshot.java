package dev.quotient.admission;

import dev.quotient.quota.Resources;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An immutable view of the ledger for readers (metrics, License and DedicatedNodeGroup status, a
 * dashboard): taken under the ledger's lock, read without it.
 *
 * @param leases held leases, sorted by project
 * @param waiting waiting projects in queue order (longest waiting first)
 * @param rejections first refusals by bottleneck resource
 */
public record LedgerSnapshot(
    List<Lease> leases, List<WaitingProject> waiting, Map<BottleneckResource, Long> rejections) {
  public LedgerSnapshot {
    leases = leases.stream().sorted(Comparator.comparing(Lease::project)).toList();
    waiting = List.copyOf(waiting);
    rejections = java.util.Collections.unmodifiableMap(new TreeMap<>(rejections));
  }

  public int size() {
    return leases.size();
  }

  public Resources total() {
    return leases.stream().map(Lease::requests).reduce(Resources.ZERO, Resources::plus);
  }

  public Resources totalOnNodeGroup(String group) {
    return leases.stream()
        .filter(l -> group.equals(l.nodeGroup()))
        .map(Lease::requests)
        .reduce(Resources.ZERO, Resources::plus);
  }

  public int projectsOnNodeGroup(String group) {
    return (int) leases.stream().filter(l -> group.equals(l.nodeGroup())).count();
  }

  public List<ProjectKey> holdersOf(String license) {
    return leases.stream().filter(l -> l.licenses().contains(license)).map(Lease::project).toList();
  }

  /** Run slots in use, by license. */
  public Map<String, Integer> licenseUse() {
    Map<String, Integer> use = new TreeMap<>();
    leases.forEach(l -> l.licenses().forEach(n -> use.merge(n, 1, Integer::sum)));
    return use;
  }

  /** The waiting projects queued in one scope, in wake-up order. */
  public List<WaitingProject> queue(Scope scope) {
    return waiting.stream().filter(w -> w.queuedIn().contains(scope)).toList();
  }
}
