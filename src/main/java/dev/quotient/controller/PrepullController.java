package dev.quotient.controller;

import dev.quotient.nodegroup.NodePatch;
import dev.quotient.prepull.PrepullDaemonSet;
import dev.quotient.prepull.PrepullGate;
import dev.quotient.prepull.PrepullTarget;
import dev.quotient.status.Reason;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepull (setting {@code prepull.enabled}): keeps the DaemonSet {@code quotient-prepull} in the
 * operator's namespace as {@link PrepullDaemonSet} says, and each node's gate as {@link
 * PrepullGate} says; off, it lifts every gate and deletes the DaemonSet. There is no custom
 * resource to reconcile, so this is one pass over all nodes (a few comparisons each, writes only
 * where a node differs) on a single thread, run whenever a node, the DaemonSet, a prepull pod or
 * the settings change, and every {@link #RESYNC} as a backstop. Only the leader writes; the Node
 * cache is the operator's shared one.
 */
final class PrepullController implements AutoCloseable {
  /** A pass at least this often, should an event have been missed. */
  static final Duration RESYNC = Duration.ofSeconds(30);

  /** After a node changed under a patch, or a write failed. */
  private static final Duration LOOK_AGAIN = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(PrepullController.class);
  private final KubernetesClient client;
  private final String namespace;
  private final SettingsStore settings;
  private final NodeCache nodes;
  private final EventRecorder events;
  private final BooleanSupplier leads;
  private final SharedIndexInformer<DaemonSet> daemonSets;
  private final SharedIndexInformer<Pod> pods;
  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "quotient-prepull");
            t.setDaemon(true);
            return t;
          });
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile boolean constructed;

  /** Passes in a row that must look again (only the loop's thread touches it). */
  private int retries;

  /**
   * Starts the DaemonSet and prepull-pod informers (both only in the operator's namespace, and
   * synced when this returns) and the loop.
   *
   * @param onFailure called when an informer stops for good
   */
  PrepullController(
      KubernetesClient client,
      String namespace,
      SettingsStore settings,
      NodeCache nodes,
      EventRecorder events,
      BooleanSupplier leads,
      Consumer<Throwable> onFailure) {
    this.client = client;
    this.namespace = namespace;
    this.settings = settings;
    this.nodes = nodes;
    this.events = events;
    this.leads = leads;
    this.daemonSets =
        client
            .apps()
            .daemonSets()
            .inNamespace(namespace)
            .withName(PrepullDaemonSet.NAME)
            .inform(changes(), 0);
    this.pods =
        client
            .pods()
            .inNamespace(namespace)
            .withLabels(PrepullDaemonSet.selector())
            .inform(changes(), 0);
    for (SharedIndexInformer<?> informer : List.of(daemonSets, pods)) {
      informer
          .stopped()
          .whenComplete(
              (done, failure) -> {
                if (failure != null) {
                  onFailure.accept(failure);
                }
              });
    }
    nodes.onChange(n -> trigger());
    settings.onChange(s -> trigger());
    loop.scheduleWithFixedDelay(
        this::trigger, RESYNC.toMillis(), RESYNC.toMillis(), TimeUnit.MILLISECONDS);
    constructed = true;
    trigger();
  }

  private <T> ResourceEventHandler<T> changes() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        trigger();
      }

      @Override
      public void onUpdate(T old, T obj) {
        trigger();
      }

      @Override
      public void onDelete(T obj, boolean unknownFinalState) {
        trigger();
      }
    };
  }

  /** Asks for a pass; many asks before it runs make one pass. */
  void trigger() {
    // The informers deliver their first objects while the constructor still starts them.
    if (!constructed) {
      return;
    }
    if (queued.compareAndSet(false, true)) {
      try {
        loop.execute(this::pass);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing
      }
    }
  }

  private void triggerAfter(Duration d) {
    try {
      loop.schedule(this::trigger, d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  private void pass() {
    queued.set(false);
    if (!leads.getAsBoolean()) {
      return;
    }
    boolean again;
    try {
      again = reconcile();
    } catch (RuntimeException e) {
      log.warn("prepull pass failed: {}", e.toString());
      again = true;
    }
    if (again) {
      // 1 s, doubling while it keeps failing, at most 16 s: a refusal (RBAC, quota) that lasts
      // does not flood the API server or the log.
      retries = Math.min(retries + 1, 5);
      triggerAfter(LOOK_AGAIN.multipliedBy(1L << (retries - 1)));
    } else {
      retries = 0;
    }
  }

  /** One pass; true when a node changed under its patch and must be looked at again. */
  private boolean reconcile() {
    PrepullTarget target = PrepullTarget.of(settings.current(), namespace).orElse(null);
    boolean again = false;
    if (target != null) {
      // First the DaemonSet, whose pods tolerate the gate, then the gates; the gates do not wait
      // for a DaemonSet write that failed (a node that joins is gated all the same).
      try {
        applyDaemonSet(PrepullDaemonSet.desired(target));
      } catch (KubernetesClientException e) {
        log.warn(
            "DaemonSet {}/{} not written, trying again: {}",
            namespace,
            PrepullDaemonSet.NAME,
            e.getMessage());
        again = true;
      }
    }
    List<Pod> prepullPods = pods.getStore().list();
    for (Node node : nodes.list()) {
      String name = node.getMetadata().getName();
      boolean ready = target != null && PrepullGate.readyOn(name, prepullPods, target.imagesHash());
      PrepullGate.Decision d = PrepullGate.decide(node, target, ready);
      Optional<NodePatch> patch = d.desired().flatMap(desired -> NodePatch.between(node, desired));
      if (patch.isEmpty()) {
        continue;
      }
      NodePatcher.Result result = NodePatcher.apply(client, node, patch.get());
      if (result == NodePatcher.Result.CHANGED_MEANWHILE) {
        again = true;
      } else if (result == NodePatcher.Result.APPLIED) {
        recordEvent(node, d.verdict(), target);
      }
    }
    if (target == null) {
      // Last, once no node waits for its pods any more.
      deleteDaemonSet();
    }
    return again;
  }

  private void recordEvent(Node node, PrepullGate.Verdict verdict, PrepullTarget target) {
    if (verdict == PrepullGate.Verdict.PENDING && !PrepullGate.gated(node)) {
      events.normal(
          node,
          Reason.PrepullPending,
          "Tainted "
              + PrepullGate.taintText()
              + " until pod of DaemonSet "
              + namespace
              + "/"
              + PrepullDaemonSet.NAME
              + " has pulled "
              + target.imageList()
              + "; pods already running here stay");
    } else if (verdict == PrepullGate.Verdict.PULLED) {
      events.normal(
          node,
          Reason.Prepulled,
          "Pulled "
              + target.imageList()
              + "; taint "
              + PrepullGate.TAINT_KEY
              + " removed, projects may start here");
    }
  }

  private void applyDaemonSet(DaemonSet desired) {
    DaemonSet current = daemonSets.getStore().getByKey(namespace + "/" + PrepullDaemonSet.NAME);
    if (current == null) {
      try {
        client.apps().daemonSets().inNamespace(namespace).resource(desired).create();
        log.info(
            "created DaemonSet {}/{} pulling {}",
            namespace,
            PrepullDaemonSet.NAME,
            desired.getMetadata().getAnnotations().get(PrepullDaemonSet.IMAGES_ANNOTATION));
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        // Our cache has not seen our own create yet: its event brings the next pass.
      }
      return;
    }
    if (Objects.equals(PrepullDaemonSet.specHash(current), PrepullDaemonSet.specHash(desired))) {
      return;
    }
    // On the object from the cache: a patch on a name alone would GET it first.
    client
        .apps()
        .daemonSets()
        .inNamespace(namespace)
        .resource(current)
        .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(mergePatch(desired)));
    log.info(
        "updated DaemonSet {}/{}: pulling {}",
        namespace,
        PrepullDaemonSet.NAME,
        desired.getMetadata().getAnnotations().get(PrepullDaemonSet.IMAGES_ANNOTATION));
  }

  /**
   * Our labels and annotations (others' stay) and our spec. Lists replace whole in a merge patch,
   * but a field we no longer set must be removed explicitly: the node affinity, when the
   * project-node selector became empty.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> mergePatch(DaemonSet desired) {
    Map<String, Object> spec =
        Serialization.jsonMapper().convertValue(desired.getSpec(), Map.class);
    Map<String, Object> template = (Map<String, Object>) spec.get("template");
    Map<String, Object> podSpec = (Map<String, Object>) template.get("spec");
    podSpec.putIfAbsent("affinity", null);
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("labels", desired.getMetadata().getLabels());
    metadata.put("annotations", desired.getMetadata().getAnnotations());
    Map<String, Object> patch = new LinkedHashMap<>();
    patch.put("metadata", metadata);
    patch.put("spec", spec);
    return patch;
  }

  private void deleteDaemonSet() {
    if (daemonSets.getStore().getByKey(namespace + "/" + PrepullDaemonSet.NAME) != null) {
      client.apps().daemonSets().inNamespace(namespace).withName(PrepullDaemonSet.NAME).delete();
      log.info("prepull is off: deleted DaemonSet {}/{}", namespace, PrepullDaemonSet.NAME);
    }
  }

  @Override
  public void close() {
    loop.shutdownNow();
    daemonSets.close();
    pods.close();
  }
}
