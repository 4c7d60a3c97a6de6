package dev.quotient.controller;

import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.LedgerSnapshot;
import dev.quotient.admission.TeamShares;
import dev.quotient.api.DedicatedNodeGroup;
import dev.quotient.nodegroup.NodeGroupMembership;
import dev.quotient.quota.Quantities;
import dev.quotient.quota.Resources;
import dev.quotient.status.DedicatedNodeGroupStatusBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Labels and taints the member nodes of each DedicatedNodeGroup, clears nodes that leave it (and
 * all members when the group is deleted), and reports capacity and what projects hold: observe (the
 * node cache, the lease ledger), decide ({@link NodeGroupMembership}, {@link
 * DedicatedNodeGroupStatusBuilder}), act ({@link NodePatcher}), record ({@link StatusRecorder}).
 */
@ControllerConfiguration(name = "dedicatednodegroup")
public final class DedicatedNodeGroupReconciler
    implements Reconciler<DedicatedNodeGroup>, Cleaner<DedicatedNodeGroup> {
  /**
   * After a node changed under a patch: its watch event normally comes first, this is the backstop.
   */
  private static final Duration LOOK_AGAIN = Duration.ofSeconds(1);

  private final SettingsStore settings;
  private final LeaseLedger ledger;
  private final EventRecorder events;
  private final Clock clock;

  private final NodeCache nodes;
  private volatile IndexerResourceCache<DedicatedNodeGroup> primary;

  /** Names of the groups reconciled since the start and not deleted. */
  private final Set<String> reconciled = ConcurrentHashMap.newKeySet();

  DedicatedNodeGroupReconciler(
      SettingsStore settings,
      LeaseLedger ledger,
      NodeCache nodes,
      EventRecorder events,
      Clock clock) {
    this.settings = settings;
    this.nodes = nodes;
    this.ledger = ledger;
    this.events = events;
    this.clock = clock;
  }

  /** The groups in the cache (for the dashboard; empty before the event sources exist). */
  List<DedicatedNodeGroup> cached() {
    IndexerResourceCache<DedicatedNodeGroup> cache = primary;
    return cache == null ? List.of() : cache.list().toList();
  }

  @Override
  public List<EventSource<?, DedicatedNodeGroup>> prepareEventSources(
      EventSourceContext<DedicatedNodeGroup> context) {
    primary = context.getPrimaryCache();
    // Any node change may concern any group (a selector may now match): look at all of them.
    SimpleInboundEventSource<DedicatedNodeGroup> nodeChanged =
        new SimpleInboundEventSource<>("nodegroup-nodes");
    nodes.onChange(
        node -> {
          if (nodeChanged.isRunning()) {
            context
                .getPrimaryCache()
                .list()
                .forEach(g -> nodeChanged.propagateEvent(ResourceID.fromResource(g)));
          }
        });
    SimpleInboundEventSource<DedicatedNodeGroup> usage =
        new SimpleInboundEventSource<>("nodegroup-usage");
    ledger.onChange(
        lease -> {
          if (lease.nodeGroup() != null) {
            usage.propagateEvent(new ResourceID(lease.nodeGroup()));
          }
        });
    // A new nodeGroupKey moves every member's label and taint to it (the old key is on the nodes),
    // a new gpuResource changes the capacity. Groups not reconciled yet will be with the new
    // settings anyway (and the primary cache is not there before the operator starts).
    SimpleInboundEventSource<DedicatedNodeGroup> settingsChanged =
        new SimpleInboundEventSource<>("nodegroup-settings");
    settings.onChange(
        s -> reconciled.forEach(g -> settingsChanged.propagateEvent(new ResourceID(g))));
    return List.of(nodeChanged, usage, settingsChanged);
  }

  @Override
  public UpdateControl<DedicatedNodeGroup> reconcile(
      DedicatedNodeGroup group, Context<DedicatedNodeGroup> context) {
    // observe
    String key = settings.current().pod().nodeGroupKey();
    String gpuResource = settings.current().quotaPolicy().defaultGpuResource();
    String name = group.getMetadata().getName();
    reconciled.add(name);
    // The group as reconciled now, with the others as cached.
    List<DedicatedNodeGroup> groups =
        Stream.concat(
                Stream.of(group),
                context
                    .getPrimaryCache()
                    .list()
                    .filter(g -> !name.equals(g.getMetadata().getName())))
            .toList();
    KubernetesClient client = context.getClient();
    List<String> members = new ArrayList<>();
    Map<String, String> claimedElsewhere = new HashMap<>();
    Resources capacity = Resources.ZERO;
    boolean lookAgain = false;
    for (Node node : nodes.list()) {
      DedicatedNodeGroup owner = NodeGroupMembership.owner(node, groups).orElse(null);
      boolean member = owner != null && name.equals(owner.getMetadata().getName());
      if (!member && NodeGroupMembership.claims(group, node)) {
        claimedElsewhere.put(node.getMetadata().getName(), owner.getMetadata().getName());
      }
      // decide and act, node by node: only our members and the nodes we labelled before. A node
      // another group labelled is that group's to write; one we labelled that now belongs to
      // another group is cleared here, and the node event that causes lets the other group take it.
      if (member || name.equals(NodeGroupMembership.managedBy(node))) {
        lookAgain |= write(client, node, member ? group : null, key);
      }
      if (member) {
        members.add(node.getMetadata().getName());
        capacity = capacity.plus(allocatable(node, gpuResource));
      }
    }
    // decide the status, from one view of the ledger
    LedgerSnapshot usage = ledger.snapshot();
    DedicatedNodeGroupStatusBuilder.Observed observed =
        new DedicatedNodeGroupStatusBuilder.Observed(
            name,
            key,
            group.getSpec() == null || !Boolean.FALSE.equals(group.getSpec().getTaint()),
            members,
            claimedElsewhere,
            capacity,
            usage.totalOnNodeGroup(name),
            usage.projectsOnNodeGroup(name),
            // The figures need the shares only, not which namespace is in which team.
            TeamShares.of(group.getSpec(), Map.of()),
            usage.leases().stream().filter(l -> name.equals(l.nodeGroup())).toList());
    String problem = group.getSpec() == null ? null : group.getSpec().problem();
    DedicatedNodeGroupStatusBuilder.Outcome outcome =
        problem == null
            ? DedicatedNodeGroupStatusBuilder.next(
                group.getStatus(), observed, group.getMetadata().getGeneration(), clock.instant())
            : DedicatedNodeGroupStatusBuilder.unreadable(
                group.getStatus(),
                observed,
                problem,
                group.getMetadata().getGeneration(),
                clock.instant());
    // record
    outcome.events().forEach(e -> events.record(group, e));
    StatusRecorder.record(group, outcome.status(), context);
    UpdateControl<DedicatedNodeGroup> control = UpdateControl.noUpdate();
    return lookAgain ? control.rescheduleAfter(LOOK_AGAIN) : control;
  }

  @Override
  public DeleteControl cleanup(DedicatedNodeGroup group, Context<DedicatedNodeGroup> context) {
    String key = settings.current().pod().nodeGroupKey();
    String name = group.getMetadata().getName();
    boolean lookAgain = false;
    for (Node node : nodes.list()) {
      // Only what we set for this group is removed; another group claiming the node takes it on
      // the node event this causes.
      if (name.equals(NodeGroupMembership.managedBy(node))) {
        lookAgain |= write(context.getClient(), node, null, key);
      }
    }
    if (lookAgain) {
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(LOOK_AGAIN);
    }
    reconciled.remove(name);
    return DeleteControl.defaultDelete();
  }

  /**
   * Labels the node for {@code group} (null: clears what we set); true when it changed meanwhile
   * and must be looked at again.
   */
  private static boolean write(
      KubernetesClient client, Node node, DedicatedNodeGroup group, String key) {
    return NodeGroupMembership.patch(node, group, key)
        .map(p -> NodePatcher.apply(client, node, p) == NodePatcher.Result.CHANGED_MEANWHILE)
        .orElse(false);
  }

  private static Resources allocatable(Node node, String gpuResource) {
    Map<String, Quantity> a =
        node.getStatus() == null || node.getStatus().getAllocatable() == null
            ? Map.of()
            : node.getStatus().getAllocatable();
    try {
      return new Resources(
          a.containsKey("cpu") ? Quantities.cpuMillis("cpu", a.get("cpu").toString()) : 0,
          a.containsKey("memory") ? Quantities.bytes("memory", a.get("memory").toString()) : 0,
          a.containsKey(gpuResource) ? Quantities.count("gpu", a.get(gpuResource).toString()) : 0);
    } catch (RuntimeException e) {
      return Resources.ZERO;
    }
  }
}
