package dev.quotient.admission;

import dev.quotient.quota.Resources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the leases on node groups hold per team share, kept lease by lease beside {@link Usage}: the
 * requests held within each team's share, the borrowed leases (which preemption may reclaim) and
 * the preemptions decided and not yet done. Not thread-safe: the ledger guards it.
 */
final class TeamUsage {
  /** Within-share requests: group -> team ("" for the unassigned part) -> requests. */
  private final Map<String, Map<String, Resources>> own = new HashMap<>();

  /** Borrowed leases by group, in the order they were reserved. */
  private final Map<String, Map<ProjectKey, Lease>> borrowed = new HashMap<>();

  /** Preemptions decided whose victim still holds its lease. */
  private final Map<ProjectKey, Preemption> preempting = new LinkedHashMap<>();

  void add(Lease l) {
    if (l.nodeGroup() == null) {
      return;
    }
    if (l.borrowed()) {
      borrowed.computeIfAbsent(l.nodeGroup(), g -> new LinkedHashMap<>()).put(l.project(), l);
    } else {
      own.computeIfAbsent(l.nodeGroup(), g -> new HashMap<>())
          .merge(key(l.teamName()), l.requests(), Resources::plus);
    }
  }

  void remove(Lease l) {
    // The victim's lease is gone: its preemption is done.
    preempting.remove(l.project());
    if (l.nodeGroup() == null) {
      return;
    }
    if (l.borrowed()) {
      Map<ProjectKey, Lease> b = borrowed.get(l.nodeGroup());
      if (b != null) {
        b.remove(l.project());
        if (b.isEmpty()) {
          borrowed.remove(l.nodeGroup());
        }
      }
    } else {
      Map<String, Resources> byTeam = own.get(l.nodeGroup());
      if (byTeam != null) {
        byTeam.computeIfPresent(key(l.teamName()), (k, r) -> r.minusFloorZero(l.requests()));
      }
    }
  }

  /** Requests held within a team's share on a group. */
  Resources own(String group, String team) {
    return own.getOrDefault(group, Map.of()).getOrDefault(key(team), Resources.ZERO);
  }

  /** The borrowed leases on a group. */
  List<Lease> borrowed(String group) {
    return new ArrayList<>(borrowed.getOrDefault(group, Map.of()).values());
  }

  void preempt(Preemption p) {
    preempting.putIfAbsent(p.victim(), p);
  }

  Optional<Preemption> preemption(ProjectKey victim) {
    return Optional.ofNullable(preempting.get(victim));
  }

  /** Whether a preemption on this group is still under way (its victim holds its lease). */
  boolean reclaiming(String group) {
    return preempting.values().stream().anyMatch(p -> p.group().equals(group));
  }

  boolean preempted(ProjectKey victim) {
    return preempting.containsKey(victim);
  }

  private static String key(String team) {
    return team == null ? "" : team;
  }
}
