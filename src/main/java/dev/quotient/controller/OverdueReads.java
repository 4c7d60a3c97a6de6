package dev.quotient.controller;

import dev.quotient.lifecycle.Lifecycle;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a pod that the cache shows terminating past its deadline may be read from the API server
 * again (to learn whether its DELETED event was lost): the lifecycle's own backoff ({@link
 * Lifecycle#podGoneCheck(Instant, Instant)}), whatever makes the project be looked at. Without it
 * every event of a project whose pod a slow kubelet still holds read that pod once more: an
 * overloaded churn made more such reads than pod deletions.
 */
final class OverdueReads {
  /** Past this many remembered pods, those not read for a while are forgotten. */
  private static final int PRUNE_ABOVE = 1024;

  // The last read of each overdue pod, by project key and pod uid; a pod that is gone is forgotten
  // by the pruning.
  private final Map<String, Instant> lastRead = new ConcurrentHashMap<>();

  /** Whether to read the pod now; if so, the read is counted as made now. */
  boolean due(String pod, Instant deletionDeadline, Instant now) {
    Instant last = lastRead.get(pod);
    if (last != null && now.isBefore(Lifecycle.podGoneCheck(deletionDeadline, last))) {
      return false;
    }
    lastRead.put(pod, now);
    if (lastRead.size() > PRUNE_ABOVE) {
      Instant stale = now.minus(Lifecycle.POD_GONE_CHECK_MAX.multipliedBy(2));
      lastRead.values().removeIf(t -> t.isBefore(stale));
    }
    return true;
  }

  /** How many pods it remembers (for tests). */
  int remembered() {
    return lastRead.size();
  }
}
