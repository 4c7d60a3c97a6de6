package dev.quotient.admission;

import dev.quotient.quota.Quantities;
import dev.quotient.quota.Resources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Does a request fit one node group that has team shares? A project is admitted within its team's
 * share (namespaces in no team: the unassigned part); beyond it, only a preemptible project on a
 * group with over-quota may borrow idle share of other teams. When a project fits its share but the
 * group is full because other teams' projects borrow, the borrowed leases to reclaim are chosen
 * here: the youngest first, and no more than needed. Stateless: the ledger calls it inside its
 * lock.
 */
final class TeamCheck {
  /**
   * The outcome for one group.
   *
   * @param scope the team share the request counts against
   * @param placement where its lease sits when it fits (null when it does not)
   * @param shortIn what it waits for now, the team share first (empty when it fits or never does)
   * @param never why it cannot fit even an empty group (null: it can)
   * @param reclaim borrowed leases to preempt now for it (none already being preempted)
   */
  record Verdict(
      Scope scope,
      TeamPlacement placement,
      List<Bottleneck> shortIn,
      Bottleneck never,
      List<Lease> reclaim) {
    boolean fits() {
      return placement != null;
    }
  }

  private TeamCheck() {}

  /**
   * @param physicalNow the group's own verdict with what runs now (null: room on its nodes)
   * @param physicalEmpty the group's verdict with nothing running (null: it can ever fit)
   */
  static Verdict check(
      AdmissionRequest r,
      String group,
      TeamShares shares,
      Resources capacity,
      Resources used,
      TeamUsage teams,
      Bottleneck physicalNow,
      Bottleneck physicalEmpty) {
    String team = shares.teamOf(r.project().namespace());
    Scope scope = new Scope.Team(group, team);
    Resources share = shares.share(team, capacity);
    Resources own = teams.own(group, team);
    Resources need = r.requests();
    if (physicalEmpty != null) {
      return new Verdict(scope, null, List.of(), physicalEmpty, List.of());
    }
    boolean canBorrow = shares.overQuota() && r.preemptible();
    if (own.plus(need).fitsIn(share)) {
      if (physicalNow == null) {
        return new Verdict(scope, TeamPlacement.within(team), List.of(), null, List.of());
      }
      return reclaim(r, group, scope, team, capacity, used, teams, physicalNow);
    }
    if (!canBorrow) {
      String why = shortOf(need, own, share);
      String hint =
          !shares.overQuota()
              ? ""
              : "; only preemptible projects (spec.preemptible, or a license's quota.preemptible)"
                  + " borrow idle share of other teams";
      if (!need.fitsIn(share)) {
        return new Verdict(
            scope,
            null,
            List.of(),
            new Bottleneck(
                BottleneckResource.TeamShare, scope, shortOf(need, Resources.ZERO, share) + hint),
            List.of());
      }
      return new Verdict(
          scope,
          null,
          List.of(
              new Bottleneck(
                  BottleneckResource.TeamShare, scope, scope.describe() + ": " + why + hint)),
          null,
          List.of());
    }
    if (teams.reclaiming(group)) {
      return new Verdict(
          scope,
          null,
          List.of(
              new Bottleneck(
                  BottleneckResource.TeamShare,
                  scope,
                  scope.describe()
                      + ": "
                      + shortOf(need, own, share)
                      + "; borrowing is paused while a team reclaims its share of node group "
                      + group),
              groupShort(group)),
          null,
          List.of());
    }
    if (physicalNow == null) {
      return new Verdict(scope, TeamPlacement.borrowing(team, null), List.of(), null, List.of());
    }
    // Borrowing, and the group is full: it waits like any project short of room on the group.
    return new Verdict(scope, null, List.of(physicalNow), null, List.of());
  }

  /**
   * Within its share, but the group's nodes are taken: by borrowed leases (reclaim them) or not
   * (capacity fell below the shares: wait).
   */
  private static Verdict reclaim(
      AdmissionRequest r,
      String group,
      Scope scope,
      String team,
      Resources capacity,
      Resources used,
      TeamUsage teams,
      Bottleneck physicalNow) {
    Resources deficit = used.plus(r.requests()).minusFloorZero(capacity);
    if (deficit.equals(Resources.ZERO)) {
      // The sums have room; no single node has: preemption would not be sure to help.
      return new Verdict(scope, null, List.of(physicalNow), null, List.of());
    }
    List<Lease> borrowed =
        teams.borrowed(group).stream().filter(l -> !l.project().equals(r.project())).toList();
    List<Lease> going = borrowed.stream().filter(l -> teams.preempted(l.project())).toList();
    Resources freed = sum(going);
    List<Lease> chosen = new ArrayList<>();
    if (!deficit.fitsIn(freed)) {
      List<Lease> candidates =
          borrowed.stream()
              .filter(l -> !teams.preempted(l.project()))
              .sorted(youngestFirst())
              .toList();
      for (Lease l : candidates) {
        if (deficit.fitsIn(freed.plus(sum(chosen)))) {
          break;
        }
        chosen.add(l);
      }
      if (!deficit.fitsIn(freed.plus(sum(chosen)))) {
        // Even all borrowed leases would not make room (fewer nodes than the shares need):
        // preempting would only stop projects for nothing.
        return new Verdict(scope, null, List.of(physicalNow), null, List.of());
      }
      // Spare what is not needed, the oldest first, so the set is minimal.
      for (int i = chosen.size() - 1; i >= 0; i--) {
        List<Lease> without = new ArrayList<>(chosen);
        without.remove(i);
        if (deficit.fitsIn(freed.plus(sum(without)))) {
          chosen = without;
        }
      }
    }
    List<Lease> all = new ArrayList<>(going);
    all.addAll(chosen);
    String names =
        all.stream().map(l -> l.project().toString()).sorted().collect(Collectors.joining(", "));
    Bottleneck b =
        new Bottleneck(
            BottleneckResource.TeamShare,
            scope,
            scope.describe()
                + ": needs "
                + r.requests()
                + " within the share, which preemptible projects of other teams borrow;"
                + " preempting "
                + names
                + " to reclaim it");
    return new Verdict(scope, null, List.of(b, groupShort(group)), null, List.copyOf(chosen));
  }

  /** Keeps the waiting project in the group's queue too, so borrowers do not take what is freed. */
  private static Bottleneck groupShort(String group) {
    Scope g = new Scope.NodeGroup(group);
    return new Bottleneck(BottleneckResource.NodeGroup, g, "node group " + group + " is full");
  }

  /** Youngest first: the latest admitted, then by name (so the order is total). */
  private static Comparator<Lease> youngestFirst() {
    Comparator<Lease> bySince =
        Comparator.comparing(
            (Lease l) -> l.team().since(), Comparator.nullsFirst(Comparator.naturalOrder()));
    return bySince.thenComparing(Lease::project).reversed();
  }

  private static Resources sum(List<Lease> leases) {
    return leases.stream().map(Lease::requests).reduce(Resources.ZERO, Resources::plus);
  }

  /** "cpu needs 2, 1 of 4 free" for the first resource that does not fit. */
  static String shortOf(Resources need, Resources used, Resources cap) {
    if (need.cpuMillis() > 0 && used.cpuMillis() + need.cpuMillis() > cap.cpuMillis()) {
      return "cpu needs "
          + Quantities.formatCpu(need.cpuMillis())
          + ", "
          + Quantities.formatCpu(Math.max(0, cap.cpuMillis() - used.cpuMillis()))
          + " of "
          + Quantities.formatCpu(cap.cpuMillis())
          + " free";
    }
    if (need.memoryBytes() > 0 && used.memoryBytes() + need.memoryBytes() > cap.memoryBytes()) {
      return "memory needs "
          + Quantities.formatBytes(need.memoryBytes())
          + ", "
          + Quantities.formatBytes(Math.max(0, cap.memoryBytes() - used.memoryBytes()))
          + " of "
          + Quantities.formatBytes(cap.memoryBytes())
          + " free";
    }
    return "gpu needs "
        + need.gpu()
        + ", "
        + Math.max(0, cap.gpu() - used.gpu())
        + " of "
        + cap.gpu()
        + " free";
  }
}
