package dev.quotient.admission;

import dev.quotient.api.DedicatedNodeGroupSpec;
import dev.quotient.api.ShareSpec;
import dev.quotient.api.TeamShareSpec;
import dev.quotient.quota.LabelSelectors;
import dev.quotient.quota.Quantities;
import dev.quotient.quota.Resources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The team shares of one DedicatedNodeGroup, as admission reads them: each team's guaranteed
 * requests, which namespace belongs to which team, and whether idle share may be lent to
 * preemptible projects. Namespaces in no team share what the teams' shares leave of the group's
 * capacity (the unassigned part), as if they were one more team.
 *
 * @param teams the teams in spec order, with their shares
 * @param overQuota idle share may be borrowed by preemptible projects
 * @param teamOfNamespace the team of each namespace that is in one (the first team listed wins)
 * @param problems shares that could not be read (counted as 0), for the group's status
 */
public record TeamShares(
    List<Team> teams,
    boolean overQuota,
    Map<String, String> teamOfNamespace,
    List<String> problems) {
  /** The name shown for the unassigned part in status (the API keeps it out of team names). */
  public static final String UNASSIGNED = "unassigned";

  /**
   * One team and its guaranteed share. A resource the share leaves unset is not divided among
   * teams: the team may hold up to the group's capacity of it.
   *
   * @param share the amounts set (0 where unset)
   */
  public record Team(
      String name, Resources share, boolean cpuSet, boolean memorySet, boolean gpuSet) {
    /** A share that sets all three. */
    public Team(String name, Resources share) {
      this(name, share, true, true, true);
    }

    /** The share, with what it leaves unset up to the capacity. */
    Resources within(Resources capacity) {
      return new Resources(
          cpuSet ? share.cpuMillis() : capacity.cpuMillis(),
          memorySet ? share.memoryBytes() : capacity.memoryBytes(),
          gpuSet ? share.gpu() : capacity.gpu());
    }
  }

  public TeamShares {
    teams = List.copyOf(teams);
    teamOfNamespace = Map.copyOf(teamOfNamespace);
    problems = List.copyOf(problems);
  }

  /** The team of a namespace, null when it is in none (the unassigned part). */
  public String teamOf(String namespace) {
    return teamOfNamespace.get(namespace);
  }

  /**
   * The summed shares of the resources some team sets, and the others ("cpu 6, memory 24Gi; gpu not
   * divided").
   */
  public String describeAssigned() {
    Resources sum = assigned();
    List<String> set = new ArrayList<>();
    List<String> unset = new ArrayList<>();
    if (teams.stream().anyMatch(Team::cpuSet)) {
      set.add("cpu " + Quantities.formatCpu(sum.cpuMillis()));
    } else {
      unset.add("cpu");
    }
    if (teams.stream().anyMatch(Team::memorySet)) {
      set.add("memory " + Quantities.formatBytes(sum.memoryBytes()));
    } else {
      unset.add("memory");
    }
    if (teams.stream().anyMatch(Team::gpuSet)) {
      set.add("gpu " + sum.gpu());
    } else {
      unset.add("gpu");
    }
    return String.join(", ", set)
        + (unset.isEmpty() ? "" : " (" + String.join(", ", unset) + " not divided)");
  }

  /** The sum of the teams' shares. */
  public Resources assigned() {
    return teams.stream().map(Team::share).reduce(Resources.ZERO, Resources::plus);
  }

  /**
   * A team's share (what it leaves unset: the capacity); for null, what the shares leave of the
   * capacity.
   */
  public Resources share(String team, Resources capacity) {
    if (team == null) {
      return capacity.minusFloorZero(assigned());
    }
    return teams.stream()
        .filter(t -> t.name().equals(team))
        .map(t -> t.within(capacity))
        .findFirst()
        .orElse(Resources.ZERO);
  }

  /**
   * One share's figures for the group's status.
   *
   * @param name the team, or {@link #UNASSIGNED}
   * @param used requests held within the share
   * @param borrowing requests its projects hold beyond the share (borrowed)
   * @param lent the part of its idle share that borrowed leases hold
   * @param projects its projects on the group
   */
  public record Report(
      String name,
      Resources share,
      Resources used,
      Resources borrowing,
      Resources lent,
      int projects) {}

  /**
   * Share, use, borrowing and lending per team (spec order, the unassigned part last) from the
   * leases on the group. What is borrowed is lent by the unassigned part's idle share first (it is
   * nobody's guarantee), then by the teams' in spec order: the attribution is for people, admission
   * only counts the totals.
   */
  public List<Report> report(Resources capacity, List<Lease> onGroup) {
    List<String> names = new ArrayList<>();
    teams.forEach(t -> names.add(t.name()));
    names.add(null);
    Map<String, Resources> used = new HashMap<>();
    Map<String, Resources> borrowing = new HashMap<>();
    Map<String, Integer> projects = new HashMap<>();
    Resources borrowed = Resources.ZERO;
    for (Lease l : onGroup) {
      String k = String.valueOf(l.teamName());
      projects.merge(k, 1, Integer::sum);
      if (l.borrowed()) {
        borrowing.merge(k, l.requests(), Resources::plus);
        borrowed = borrowed.plus(l.requests());
      } else {
        used.merge(k, l.requests(), Resources::plus);
      }
    }
    List<String> lendOrder = new ArrayList<>();
    lendOrder.add(null);
    teams.forEach(t -> lendOrder.add(t.name()));
    Map<String, Resources> lent = new HashMap<>();
    Resources left = borrowed;
    for (String n : lendOrder) {
      Resources idle =
          share(n, capacity).minusFloorZero(used.getOrDefault(String.valueOf(n), Resources.ZERO));
      Resources l = idle.min(left);
      lent.put(String.valueOf(n), l);
      left = left.minusFloorZero(l);
    }
    List<Report> out = new ArrayList<>();
    for (String n : names) {
      String k = String.valueOf(n);
      out.add(
          new Report(
              n == null ? UNASSIGNED : n,
              share(n, capacity),
              used.getOrDefault(k, Resources.ZERO),
              borrowing.getOrDefault(k, Resources.ZERO),
              lent.getOrDefault(k, Resources.ZERO),
              projects.getOrDefault(k, 0)));
    }
    return out;
  }

  /**
   * The shares of a group's spec, with each namespace placed in its team; null when the spec has no
   * teams (the group is one pool).
   *
   * @param namespaces the labels of every namespace, by name
   */
  public static TeamShares of(
      DedicatedNodeGroupSpec spec, Map<String, Map<String, String>> namespaces) {
    if (spec == null || spec.getTeams() == null || spec.getTeams().isEmpty()) {
      return null;
    }
    List<Team> teams = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Map<String, String> teamOf = new HashMap<>();
    Map<String, TeamShareSpec> byName = new LinkedHashMap<>();
    for (TeamShareSpec t : spec.getTeams()) {
      if (t == null || t.getName() == null || t.getName().isBlank()) {
        problems.add("a team without a name is ignored");
        continue;
      }
      if (byName.putIfAbsent(t.getName(), t) != null) {
        problems.add("team " + t.getName() + " is listed twice: the first one counts");
        continue;
      }
      ShareSpec given = t.getShare() == null ? new ShareSpec() : t.getShare();
      teams.add(
          new Team(
              t.getName(),
              share(t, problems),
              given.getCpu() != null,
              given.getMemory() != null,
              given.getGpu() != null));
    }
    // First team listed wins: by name, then by selector, in list order.
    for (TeamShareSpec t : byName.values()) {
      if (t.getNamespaces() != null) {
        t.getNamespaces().forEach(ns -> teamOf.putIfAbsent(ns, t.getName()));
      }
    }
    for (TeamShareSpec t : byName.values()) {
      if (t.getNamespaceSelector() != null) {
        namespaces.forEach(
            (ns, labels) -> {
              if (LabelSelectors.matches(t.getNamespaceSelector(), labels)) {
                teamOf.putIfAbsent(ns, t.getName());
              }
            });
      }
    }
    boolean over =
        spec.getOverQuota() != null && Boolean.TRUE.equals(spec.getOverQuota().getEnabled());
    return new TeamShares(teams, over, teamOf, problems);
  }

  private static Resources share(TeamShareSpec t, List<String> problems) {
    ShareSpec s = t.getShare();
    if (s == null) {
      return Resources.ZERO;
    }
    long cpu = 0;
    long memory = 0;
    long gpu = 0;
    try {
      cpu = s.getCpu() == null ? 0 : Quantities.cpuMillis("cpu", s.getCpu());
      memory = s.getMemory() == null ? 0 : Quantities.bytes("memory", s.getMemory());
      gpu = s.getGpu() == null ? 0 : Quantities.count("gpu", s.getGpu());
    } catch (RuntimeException e) {
      problems.add("team " + t.getName() + ": " + e.getMessage() + "; its share counts as 0");
      return Resources.ZERO;
    }
    return new Resources(cpu, memory, gpu);
  }
}
