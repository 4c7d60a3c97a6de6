package dev.quotient.controller;

import dev.quotient.admission.LeaseLedger;
import dev.quotient.api.DedicatedNodeGroup;
import dev.quotient.api.DedicatedNodeGroupStatus;
import dev.quotient.api.ResourceTotals;
import dev.quotient.nodegroup.NodeGroupMembership;
import dev.quotient.quota.Quantities;
import dev.quotient.quota.Resources;
import dev.quotient.status.Conditions;
import dev.quotient.status.Reason;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Labels and taints the member nodes of each DedicatedNodeGroup, clears nodes that leave it (and
 * all members when the group is deleted), and reports capacity and what projects hold.
 */
@ControllerConfiguration(name = "dedicatednodegroup")
public final class DedicatedNodeGroupReconciler
    implements Reconciler<DedicatedNodeGroup>, Cleaner<DedicatedNodeGroup> {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(DedicatedNodeGroupReconciler.class);
  private final SettingsStore settings;
  private final LeaseLedger ledger;
  private final EventRecorder events;
  private final Clock clock;
  private InformerEventSource<Node, DedicatedNodeGroup> nodes;

  public DedicatedNodeGroupReconciler(
      SettingsStore settings, LeaseLedger ledger, EventRecorder events, Clock clock) {
    this.settings = settings;
    this.ledger = ledger;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, DedicatedNodeGroup>> prepareEventSources(
      EventSourceContext<DedicatedNodeGroup> context) {
    nodes =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Node.class, DedicatedNodeGroup.class)
                .withName("nodes")
                .withSecondaryToPrimaryMapper(
                    node ->
                        context
                            .getPrimaryCache()
                            .list()
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .build(),
            context);
    SimpleInboundEventSource<DedicatedNodeGroup> usage =
        new SimpleInboundEventSource<>("nodegroup-usage");
    ledger.onChange(
        lease -> {
          if (lease.nodeGroup() != null) {
            usage.propagateEvent(new ResourceID(lease.nodeGroup()));
          }
        });
    return List.of(nodes, usage);
  }

  @Override
  public UpdateControl<DedicatedNodeGroup> reconcile(
      DedicatedNodeGroup group, Context<DedicatedNodeGroup> context) {
    String key = settings.current().pod().nodeGroupKey();
    String gpuResource = settings.current().quotaPolicy().defaultGpuResource();
    String name = group.getMetadata().getName();
    List<DedicatedNodeGroup> groups = context.getPrimaryCache().list().toList();
    KubernetesClient client = context.getClient();
    List<String> members = new ArrayList<>();
    List<String> claimedElsewhere = new ArrayList<>();
    Resources capacity = Resources.ZERO;
    for (Node node : nodes.list().toList()) {
      DedicatedNodeGroup owner = NodeGroupMembership.owner(node, groups).orElse(null);
      boolean ours = owner != null && name.equals(owner.getMetadata().getName());
      String managed =
          node.getMetadata().getAnnotations() == null
              ? null
              : node.getMetadata().getAnnotations().get(NodeGroupMembership.MANAGED_ANNOTATION);
      if (NodeGroupMembership.claims(group, node) && !ours) {
        claimedElsewhere.add(
            node.getMetadata().getName() + " (kept by " + owner.getMetadata().getName() + ")");
      }
      if (ours || name.equals(managed)) {
        NodeGroupMembership.desired(node, ours ? group : owner, key)
            .ifPresent(n -> updateNode(client, n));
      }
      if (ours) {
        members.add(node.getMetadata().getName());
        capacity = capacity.plus(allocatable(node, gpuResource));
      }
    }
    members.sort(String::compareTo);
    Instant now = clock.instant();
    DedicatedNodeGroupStatus prev =
        group.getStatus() == null ? new DedicatedNodeGroupStatus() : group.getStatus();
    DedicatedNodeGroupStatus next = new DedicatedNodeGroupStatus();
    next.setNodes(members.isEmpty() ? null : members);
    next.setNodeCount(members.size());
    next.setCapacity(totals(capacity));
    next.setAllocated(totals(ledger.totalOnNodeGroup(name)));
    next.setRunningProjects(ledger.projectsOnNodeGroup(name));
    next.setObservedGeneration(group.getMetadata().getGeneration());
    Long gen = group.getMetadata().getGeneration();
    if (members.isEmpty()) {
      String msg =
          "No node matches this group's nodeSelector or nodeNames"
              + (claimedElsewhere.isEmpty() ? "" : "; claimed by other groups: " + claimedElsewhere)
              + "; projects placed here stay Pending until a node joins";
      next.setConditions(
          Conditions.set(
              prev.getConditions(),
              "Ready",
              Conditions.FALSE,
              Reason.NoMatchingNodes.name(),
              msg,
              gen,
              now));
      if (!Objects.equals(prev.getNodeCount(), 0)) {
        events.warning(group, Reason.NoMatchingNodes, msg);
      }
    } else {
      String msg =
          members.size()
              + " node(s) labelled "
              + key
              + "="
              + name
              + (Boolean.FALSE.equals(group.getSpec().getTaint()) ? "" : " and tainted NoSchedule")
              + (claimedElsewhere.isEmpty()
                  ? ""
                  : "; claimed by another group (first name wins): " + claimedElsewhere);
      next.setConditions(
          Conditions.set(
              prev.getConditions(),
              "Ready",
              Conditions.TRUE,
              claimedElsewhere.isEmpty()
                  ? Reason.NodesLabelled.name()
                  : Reason.NodeClaimedByOtherGroup.name(),
              msg,
              gen,
              now));
    }
    if (next.equals(group.getStatus())) {
      return UpdateControl.noUpdate();
    }
    // Full status update with the resourceVersion (see LicenseReconciler for why not a JSON-patch
    // diff).
    PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
        group,
        context,
        g -> {
          g.setStatus(next);
          return g;
        });
    return UpdateControl.noUpdate();
  }

  @Override
  public DeleteControl cleanup(DedicatedNodeGroup group, Context<DedicatedNodeGroup> context) {
    String key = settings.current().pod().nodeGroupKey();
    String name = group.getMetadata().getName();
    List<DedicatedNodeGroup> others =
        context
            .getPrimaryCache()
            .list()
            .filter(g -> !name.equals(g.getMetadata().getName()))
            .toList();
    for (Node node : nodes.list().toList()) {
      String managed =
          node.getMetadata().getAnnotations() == null
              ? null
              : node.getMetadata().getAnnotations().get(NodeGroupMembership.MANAGED_ANNOTATION);
      if (name.equals(managed)) {
        NodeGroupMembership.desired(node, NodeGroupMembership.owner(node, others).orElse(null), key)
            .ifPresent(n -> updateNode(context.getClient(), n));
      }
    }
    return DeleteControl.defaultDelete();
  }

  /** A node removed from the cluster meanwhile needs no labels any more: a 404 is not an error. */
  private static void updateNode(io.fabric8.kubernetes.client.KubernetesClient client, Node node) {
    try {
      client.nodes().resource(node).update();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      log.info("node {} is gone; nothing to label or unlabel", node.getMetadata().getName());
    }
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

  private static ResourceTotals totals(Resources r) {
    ResourceTotals t = new ResourceTotals();
    t.setCpu(Quantities.formatCpu(r.cpuMillis()));
    t.setMemory(Quantities.formatBytes(r.memoryBytes()));
    t.setGpu(Long.toString(r.gpu()));
    return t;
  }
}
