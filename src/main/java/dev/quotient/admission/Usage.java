package dev.quotient.admission;

import dev.quotient.quota.Resources;
import java.util.HashMap;
import java.util.Map;

/**
 * What the held leases add up to, kept up to date lease by lease so that a fit check costs the same
 * with ten or ten thousand projects running. Not thread-safe: the ledger guards it.
 */
final class Usage {
  /** Requests, limits and pod count of a set of leases. */
  record Totals(Resources requests, Resources limits, int projects) {
    static final Totals ZERO = new Totals(Resources.ZERO, Resources.ZERO, 0);

    Totals plus(Lease l) {
      return new Totals(requests.plus(l.requests()), limits.plus(l.limits()), projects + 1);
    }

    Totals minus(Lease l) {
      return new Totals(
          requests.minusFloorZero(l.requests()),
          limits.minusFloorZero(l.limits()),
          Math.max(0, projects - 1));
    }
  }

  private Totals cluster = Totals.ZERO;
  private final Map<String, Totals> byNamespace = new HashMap<>();
  private final Map<String, Totals> byGroup = new HashMap<>();
  private final Map<String, Integer> byLicense = new HashMap<>();
  private int ephemeral;
  private final TeamUsage teams = new TeamUsage();

  void add(Lease l) {
    cluster = cluster.plus(l);
    if (l.ephemeral()) {
      ephemeral++;
    }
    byNamespace.merge(l.project().namespace(), Totals.ZERO.plus(l), (a, b) -> a.plus(l));
    if (l.nodeGroup() != null) {
      byGroup.merge(l.nodeGroup(), Totals.ZERO.plus(l), (a, b) -> a.plus(l));
    }
    l.licenses().forEach(name -> byLicense.merge(name, 1, Integer::sum));
    teams.add(l);
  }

  void remove(Lease l) {
    cluster = cluster.minus(l);
    if (l.ephemeral()) {
      ephemeral = Math.max(0, ephemeral - 1);
    }
    byNamespace.computeIfPresent(l.project().namespace(), (k, t) -> emptyToNull(t.minus(l)));
    if (l.nodeGroup() != null) {
      byGroup.computeIfPresent(l.nodeGroup(), (k, t) -> emptyToNull(t.minus(l)));
    }
    l.licenses().forEach(name -> byLicense.computeIfPresent(name, (k, v) -> v > 1 ? v - 1 : null));
    teams.remove(l);
  }

  /** What the leases hold per team share of the node groups. */
  TeamUsage teams() {
    return teams;
  }

  private static Totals emptyToNull(Totals t) {
    return t.projects() == 0 ? null : t;
  }

  Totals cluster() {
    return cluster;
  }

  /** Ephemeral runs among the cluster's leases (the rest are persistent projects). */
  int ephemeral() {
    return ephemeral;
  }

  Totals namespace(String namespace) {
    return byNamespace.getOrDefault(namespace, Totals.ZERO);
  }

  Totals group(String group) {
    return byGroup.getOrDefault(group, Totals.ZERO);
  }

  int license(String license) {
    return byLicense.getOrDefault(license, 0);
  }

  Map<String, Integer> licenses() {
    return byLicense;
  }

  Map<String, Totals> groups() {
    return byGroup;
  }
}
