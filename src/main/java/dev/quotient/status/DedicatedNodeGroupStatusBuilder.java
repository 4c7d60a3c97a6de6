package dev.quotient.status;

import dev.quotient.admission.Lease;
import dev.quotient.admission.TeamShares;
import dev.quotient.api.DedicatedNodeGroupStatus;
import dev.quotient.api.ResourceTotals;
import dev.quotient.api.TeamShareStatus;
import dev.quotient.quota.Quantities;
import dev.quotient.quota.Resources;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Previous status + what the DedicatedNodeGroup reconciler observed -> the next status and the
 * Events the change calls for. Owns the condition type {@code Ready}, its reasons and messages.
 */
public final class DedicatedNodeGroupStatusBuilder {
  public static final String READY = "Ready";

  /** Condition type: whether the team shares could be read and fit the group's capacity. */
  public static final String TEAM_SHARES = "TeamShares";

  /**
   * What the reconciler observed.
   *
   * @param group the group's name
   * @param key the label and taint key (setting {@code nodeGroupKey})
   * @param tainted whether members are tainted (spec.taint is not false)
   * @param members names of the member nodes
   * @param claimedElsewhere nodes this group claims that another group keeps: node name to group
   * @param capacity the members' allocatable resources, summed
   * @param allocated the requests of the projects running on the group (lease ledger)
   * @param runningProjects how many projects run on the group
   * @param teams the group's team shares (null: it has none)
   * @param leases the leases on the group (for the per-team figures)
   */
  public record Observed(
      String group,
      String key,
      boolean tainted,
      List<String> members,
      Map<String, String> claimedElsewhere,
      Resources capacity,
      Resources allocated,
      int runningProjects,
      TeamShares teams,
      List<Lease> leases) {
    public Observed {
      members = members.stream().sorted().toList();
      claimedElsewhere = Collections.unmodifiableMap(new TreeMap<>(claimedElsewhere));
      leases = List.copyOf(leases);
    }

    /** A group without team shares. */
    public Observed(
        String group,
        String key,
        boolean tainted,
        List<String> members,
        Map<String, String> claimedElsewhere,
        Resources capacity,
        Resources allocated,
        int runningProjects) {
      this(
          group,
          key,
          tainted,
          members,
          claimedElsewhere,
          capacity,
          allocated,
          runningProjects,
          null,
          List.of());
    }
  }

  /** The next status and the Events to record with it. */
  public record Outcome(DedicatedNodeGroupStatus status, List<StatusEvent> events) {
    public Outcome {
      events = List.copyOf(events);
    }
  }

  private DedicatedNodeGroupStatusBuilder() {}

  /**
   * The outcome for a group whose spec this operator cannot read (a field of the wrong type): no
   * node is a member (those it labelled are released), Ready is False with reason SpecInvalid
   * naming the field, and a Warning Event says so once.
   */
  public static Outcome unreadable(
      DedicatedNodeGroupStatus previous,
      Observed observed,
      String problem,
      Long generation,
      Instant now) {
    Outcome usual = next(previous, observed, generation, now);
    String message =
        "The spec cannot be read: "
            + problem
            + "; no node belongs to this group until an admin fixes it";
    Condition before = previous == null ? null : Conditions.find(previous.getConditions(), READY);
    DedicatedNodeGroupStatus status = usual.status();
    status.setConditions(
        Conditions.set(
            previous == null ? null : previous.getConditions(),
            READY,
            Conditions.FALSE,
            Reason.SpecInvalid.name(),
            message,
            generation,
            now));
    boolean told = before != null && message.equals(before.getMessage());
    return new Outcome(
        status, told ? List.of() : List.of(StatusEvent.warning(Reason.SpecInvalid, message)));
  }

  public static Outcome next(
      DedicatedNodeGroupStatus previous, Observed observed, Long generation, Instant now) {
    DedicatedNodeGroupStatus prev = previous == null ? new DedicatedNodeGroupStatus() : previous;
    DedicatedNodeGroupStatus next = new DedicatedNodeGroupStatus();
    List<String> members = observed.members();
    next.setNodes(members.isEmpty() ? null : members);
    next.setNodeCount(members.size());
    next.setCapacity(totals(observed.capacity()));
    next.setAllocated(totals(observed.allocated()));
    next.setRunningProjects(observed.runningProjects());
    next.setObservedGeneration(generation);
    List<String> elsewhere = new ArrayList<>();
    observed
        .claimedElsewhere()
        .forEach((node, owner) -> elsewhere.add(node + " (kept by " + owner + ")"));
    List<StatusEvent> events = new ArrayList<>();
    if (members.isEmpty()) {
      String message =
          "No node matches this group's nodeSelector or nodeNames"
              + (elsewhere.isEmpty() ? "" : "; claimed by other groups: " + elsewhere)
              + "; projects placed here stay Pending until a node joins";
      next.setConditions(
          Conditions.set(
              prev.getConditions(),
              READY,
              Conditions.FALSE,
              Reason.NoMatchingNodes.name(),
              message,
              generation,
              now));
      if (!Objects.equals(prev.getNodeCount(), 0)) {
        events.add(StatusEvent.warning(Reason.NoMatchingNodes, message));
      }
    } else {
      String message =
          members.size()
              + " node(s) labelled "
              + observed.key()
              + "="
              + observed.group()
              + (observed.tainted() ? " and tainted NoSchedule" : "")
              + (elsewhere.isEmpty()
                  ? ""
                  : "; claimed by another group (first name wins): " + elsewhere);
      next.setConditions(
          Conditions.set(
              prev.getConditions(),
              READY,
              Conditions.TRUE,
              (elsewhere.isEmpty() ? Reason.NodesLabelled : Reason.NodeClaimedByOtherGroup).name(),
              message,
              generation,
              now));
    }
    teams(prev, next, observed, generation, now, events);
    return new Outcome(next, events);
  }

  /**
   * Per team share, used, borrowing and lent, and the TeamShares condition: shares above the
   * capacity cannot all be guaranteed (admission still holds each team to its share and the group
   * to its nodes), a share that cannot be read counts as 0. Either is a Warning once.
   */
  private static void teams(
      DedicatedNodeGroupStatus prev,
      DedicatedNodeGroupStatus next,
      Observed observed,
      Long generation,
      Instant now,
      List<StatusEvent> events) {
    TeamShares t = observed.teams();
    if (t == null) {
      if (next.getConditions() != null) {
        next.setConditions(
            next.getConditions().stream().filter(c -> !TEAM_SHARES.equals(c.getType())).toList());
      }
      return;
    }
    List<TeamShareStatus> shown = new ArrayList<>();
    for (TeamShares.Report r : t.report(observed.capacity(), observed.leases())) {
      TeamShareStatus s = new TeamShareStatus();
      s.setName(r.name());
      s.setShare(totals(r.share()));
      s.setUsed(totals(r.used()));
      s.setBorrowing(totals(r.borrowing()));
      s.setLent(totals(r.lent()));
      s.setRunningProjects(r.projects());
      shown.add(s);
    }
    next.setTeams(shown);
    Resources assigned = t.assigned();
    Reason reason;
    String message;
    if (!t.problems().isEmpty()) {
      reason = Reason.ShareInvalid;
      message = String.join("; ", t.problems()) + "; fix spec.teams";
    } else if (!assigned.fitsIn(observed.capacity())) {
      reason = Reason.SharesExceedCapacity;
      message =
          "The team shares add up to "
              + t.describeAssigned()
              + ", more than the group's capacity of "
              + observed.capacity()
              + ": not every team can get its share at once; lower the shares or add nodes";
    } else {
      reason = Reason.SharesWithinCapacity;
      message =
          t.teams().size()
              + " team share(s) of "
              + t.describeAssigned()
              + " within the capacity of "
              + observed.capacity()
              + "; namespaces in no team share the rest"
              + (t.overQuota() ? "; preemptible projects may borrow idle share" : "");
    }
    boolean ok = reason == Reason.SharesWithinCapacity;
    io.fabric8.kubernetes.api.model.Condition before =
        Conditions.find(prev.getConditions(), TEAM_SHARES);
    if (!ok && (before == null || !message.equals(before.getMessage()))) {
      events.add(StatusEvent.warning(reason, message));
    }
    next.setConditions(
        Conditions.set(
            next.getConditions(),
            TEAM_SHARES,
            ok ? Conditions.TRUE : Conditions.FALSE,
            reason.name(),
            message,
            generation,
            now));
  }

  private static ResourceTotals totals(Resources r) {
    ResourceTotals t = new ResourceTotals();
    t.setCpu(Quantities.formatCpu(r.cpuMillis()));
    t.setMemory(Quantities.formatBytes(r.memoryBytes()));
    t.setGpu(Long.toString(r.gpu()));
    return t;
  }
}
