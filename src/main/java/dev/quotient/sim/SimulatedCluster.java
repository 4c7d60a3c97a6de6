package dev.quotient.sim;

import dev.quotient.api.Project;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a real cluster's control plane does, in miniature, for the CRUD mock API server only: a
 * scheduler (selector, affinity, taints, free allocatable), a kubelet (bound pods become Running
 * after a delay; a pod that never restarts ends as its command says, see {@link SimulatedRun}), a
 * garbage collector for pods of deleted Projects, and node loss. Never started against a real
 * cluster; nothing in the operator imports it.
 */
public final class SimulatedCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimulatedCluster.class);
  private final KubernetesClient client;
  private final Duration kubeletDelay;
  private final Clock clock;
  private final ScheduledExecutorService loop;
  private final Map<String, Instant> boundAt = new HashMap<>();

  public SimulatedCluster(
      KubernetesClient client, Duration tick, Duration kubeletDelay, Clock clock) {
    this.client = client;
    this.kubeletDelay = kubeletDelay;
    this.clock = clock;
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "simulated-cluster");
              t.setDaemon(true);
              return t;
            });
    loop.scheduleWithFixedDelay(this::safeTick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Creates the nodes of a YAML list (kind List or several documents) with Ready status. */
  public static List<Node> createNodes(KubernetesClient client, InputStream yaml) {
    List<Node> created = new ArrayList<>();
    for (var item : client.load(yaml).items()) {
      if (item instanceof Node node) {
        Node n = client.nodes().resource(node).create();
        if (node.getStatus() != null) {
          n.setStatus(node.getStatus());
          n = client.nodes().resource(n).updateStatus();
        }
        created.add(n);
      }
    }
    return created;
  }

  /**
   * The nodes of {@code /sim/nodes.yaml}: two pool nodes, physics-1, and gpu-1 tainted {@code
   * nvidia.com/gpu=present:NoSchedule} like real GPU nodes, so only pods that request GPUs go
   * there.
   */
  public static List<Node> defaultNodes(KubernetesClient client) {
    return createNodes(client, SimulatedCluster.class.getResourceAsStream("/sim/nodes.yaml"));
  }

  private void safeTick() {
    try {
      tick();
    } catch (KubernetesClientException e) {
      log.debug("simulation tick: {}", e.getMessage());
    } catch (RuntimeException e) {
      log.warn("simulation tick failed", e);
    }
  }

  /** One pass of garbage collection, node loss, scheduling and kubelet. */
  public synchronized void tick() {
    List<Node> nodes = new ArrayList<>(client.nodes().list().getItems());
    nodes.sort(Comparator.comparing(n -> n.getMetadata().getName()));
    List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
    Set<String> projectUids = new HashSet<>();
    client
        .resources(Project.class)
        .inAnyNamespace()
        .list()
        .getItems()
        .forEach(p -> projectUids.add(p.getMetadata().getUid()));
    Map<String, Node> byName = new HashMap<>();
    nodes.forEach(n -> byName.put(n.getMetadata().getName(), n));
    Map<String, List<Pod>> onNode = new HashMap<>();
    List<Pod> live = new ArrayList<>();
    for (Pod pod : pods) {
      if (orphaned(pod, projectUids)) {
        client
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .delete();
        continue;
      }
      String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
      if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
        continue;
      }
      String nodeName = pod.getSpec().getNodeName();
      if (nodeName != null) {
        Node node = byName.get(nodeName);
        if (node == null || !SchedulingFit.ready(node)) {
          fail(
              pod,
              "NodeLost",
              "Node "
                  + nodeName
                  + " which was running pod "
                  + pod.getMetadata().getName()
                  + " is unresponsive");
          continue;
        }
        onNode.computeIfAbsent(nodeName, k -> new ArrayList<>()).add(pod);
      }
      live.add(pod);
    }
    live.sort(
        Comparator.comparing(
            p ->
                p.getMetadata().getCreationTimestamp() == null
                    ? ""
                    : p.getMetadata().getCreationTimestamp()));
    for (Pod pod : live) {
      if (pod.getSpec().getNodeName() == null) {
        schedule(pod, nodes, onNode);
      } else {
        runKubelet(pod);
      }
    }
  }

  private static boolean orphaned(Pod pod, Set<String> projectUids) {
    List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
    return refs != null
        && refs.stream()
            .anyMatch(r -> "Project".equals(r.getKind()) && !projectUids.contains(r.getUid()));
  }

  private void schedule(Pod pod, List<Node> nodes, Map<String, List<Pod>> onNode) {
    List<String> reasons = new ArrayList<>();
    for (Node node : nodes) {
      String name = node.getMetadata().getName();
      Optional<String> why = SchedulingFit.whyNot(pod, node, onNode.getOrDefault(name, List.of()));
      if (why.isEmpty()) {
        Pod bound = new PodBuilder(pod).editSpec().withNodeName(name).endSpec().build();
        bound = client.pods().resource(bound).update();
        setStatus(bound, "Pending", List.of(condition("PodScheduled", "True", null, null)), null);
        boundAt.put(pod.getMetadata().getUid(), clock.instant());
        onNode.computeIfAbsent(name, k -> new ArrayList<>()).add(bound);
        return;
      }
      reasons.add(why.get());
    }
    String message = SchedulingFit.summary(nodes.size(), reasons);
    PodCondition current =
        pod.getStatus() == null || pod.getStatus().getConditions() == null
            ? null
            : pod.getStatus().getConditions().stream()
                .filter(c -> "PodScheduled".equals(c.getType()))
                .findFirst()
                .orElse(null);
    if (current == null || !Objects.equals(current.getMessage(), message)) {
      setStatus(
          pod,
          "Pending",
          List.of(condition("PodScheduled", "False", "Unschedulable", message)),
          null);
    }
  }

  private void runKubelet(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if ("Running".equals(phase)) {
      SimulatedRun.of(pod)
          .filter(run -> run.endsBy(pod).map(end -> !clock.instant().isBefore(end)).orElse(false))
          .ifPresent(
              run -> client.pods().resource(run.terminated(pod, clock.instant())).updateStatus());
      return;
    }
    Instant bound = boundAt.computeIfAbsent(pod.getMetadata().getUid(), k -> clock.instant());
    if (clock.instant().isBefore(bound.plus(kubeletDelay))) {
      return;
    }
    Pod running =
        new PodBuilder(pod)
            .editOrNewStatus()
            .withPhase("Running")
            .withStartTime(clock.instant().toString())
            .withConditions(
                condition("PodScheduled", "True", null, null),
                condition("Initialized", "True", null, null),
                condition("ContainersReady", "True", null, null),
                condition("Ready", "True", null, null))
            .withContainerStatuses(
                pod.getSpec().getContainers().stream()
                    .map(
                        c ->
                            new io.fabric8.kubernetes.api.model.ContainerStatusBuilder()
                                .withName(c.getName())
                                .withImage(c.getImage())
                                .withReady(true)
                                .withStarted(true)
                                .withRestartCount(0)
                                .withNewState()
                                .withNewRunning()
                                .withStartedAt(clock.instant().toString())
                                .endRunning()
                                .endState()
                                .build())
                    .toList())
            .endStatus()
            .build();
    client.pods().resource(running).updateStatus();
  }

  private void fail(Pod pod, String reason, String message) {
    Pod failed =
        new PodBuilder(pod)
            .editOrNewStatus()
            .withPhase("Failed")
            .withReason(reason)
            .withMessage(message)
            .endStatus()
            .build();
    client.pods().resource(failed).updateStatus();
  }

  private void setStatus(Pod pod, String phase, List<PodCondition> conditions, String startTime) {
    Pod next =
        new PodBuilder(pod)
            .editOrNewStatus()
            .withPhase(phase)
            .withConditions(conditions)
            .withStartTime(startTime)
            .endStatus()
            .build();
    client.pods().resource(next).updateStatus();
  }

  private PodCondition condition(String type, String status, String reason, String message) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(clock.instant().toString())
        .build();
  }

  /** Marks a node NotReady, as a kubelet that stopped reporting would leave it. */
  public void loseNode(String name) {
    Node node = client.nodes().withName(name).get();
    node.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .forEach(c -> c.setStatus("False"));
    client.nodes().resource(node).updateStatus();
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }

  static String toYaml(Object o) {
    return Serialization.asYaml(o);
  }
}
