package dev.quotient.controller;

import dev.quotient.api.Project;
import dev.quotient.api.QuotientLabels;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * An informer store that keeps only what the operator reads of each object. Without it a cached
 * project pod carried its whole spec and every manager's managedFields: most of the operator's
 * heap, about 45 KB per running project. Objects are pruned as they arrive from the watch, before
 * anything else sees them; they are never written back (status writes go to Projects, whose spec
 * and status are kept whole, and a PUT without managedFields leaves the server's as they are).
 */
final class PrunedStore<T extends HasMetadata> implements ItemStore<T> {
  private final BasicItemStore<T> store = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);
  private final UnaryOperator<T> prune;

  private PrunedStore(UnaryOperator<T> prune) {
    this.prune = prune;
  }

  /**
   * Project pods as the operator reads them: identity, labels, our annotations, owner, deletion,
   * the node, and of the status what says how the pod is (phase, reason, conditions, container
   * states, start time). Repeated values (keys, label values, condition types, node names) are
   * interned: thousands of pods share them.
   */
  static PrunedStore<Pod> pods() {
    return new PrunedStore<>(PrunedStore::prunePod);
  }

  static Pod prunePod(Pod pod) {
    ObjectMeta m = pod.getMetadata();
    ObjectMeta meta = new ObjectMeta();
    meta.setName(m.getName());
    meta.setNamespace(intern(m.getNamespace()));
    meta.setUid(m.getUid());
    meta.setResourceVersion(m.getResourceVersion());
    meta.setGeneration(m.getGeneration());
    meta.setCreationTimestamp(m.getCreationTimestamp());
    meta.setDeletionTimestamp(m.getDeletionTimestamp());
    meta.setDeletionGracePeriodSeconds(m.getDeletionGracePeriodSeconds());
    meta.setLabels(internAll(m.getLabels(), k -> true));
    meta.setAnnotations(internAll(m.getAnnotations(), k -> k.startsWith(QuotientLabels.PREFIX)));
    if (m.getOwnerReferences() != null) {
      meta.setOwnerReferences(
          m.getOwnerReferences().stream()
              .map(
                  r ->
                      new OwnerReferenceBuilder()
                          .withApiVersion(intern(r.getApiVersion()))
                          .withKind(intern(r.getKind()))
                          .withName(r.getName())
                          .withUid(r.getUid())
                          .withController(r.getController())
                          .build())
              .toList());
    }
    Pod kept = new Pod();
    kept.setApiVersion(intern(pod.getApiVersion()));
    kept.setKind(intern(pod.getKind()));
    kept.setMetadata(meta);
    if (pod.getSpec() != null) {
      PodSpec spec = new PodSpec();
      spec.setNodeName(intern(pod.getSpec().getNodeName()));
      kept.setSpec(spec);
    }
    PodStatus s = pod.getStatus();
    if (s != null) {
      PodStatus status = new PodStatus();
      status.setPhase(intern(s.getPhase()));
      status.setReason(intern(s.getReason()));
      status.setMessage(s.getMessage());
      status.setStartTime(s.getStartTime());
      if (s.getConditions() != null) {
        status.setConditions(
            s.getConditions().stream()
                .map(
                    c ->
                        new PodConditionBuilder()
                            .withType(intern(c.getType()))
                            .withStatus(intern(c.getStatus()))
                            .withReason(intern(c.getReason()))
                            .withMessage(c.getMessage())
                            .build())
                .toList());
      }
      if (s.getContainerStatuses() != null) {
        status.setContainerStatuses(
            s.getContainerStatuses().stream()
                .map(
                    c ->
                        new ContainerStatusBuilder()
                            .withName(intern(c.getName()))
                            .withReady(c.getReady())
                            .withRestartCount(c.getRestartCount())
                            .withState(c.getState())
                            .withLastState(c.getLastState())
                            .build())
                .toList());
      }
      kept.setStatus(status);
    }
    return kept;
  }

  private static String intern(String s) {
    return s == null ? null : s.intern();
  }

  private static Map<String, String> internAll(
      Map<String, String> m, java.util.function.Predicate<String> keep) {
    if (m == null) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach(
        (k, v) -> {
          if (keep.test(k)) {
            out.put(k.intern(), v == null || v.length() > 64 ? v : v.intern());
          }
        });
    return out;
  }

  /** Projects: everything but managedFields. */
  static PrunedStore<Project> projects() {
    return new PrunedStore<>(
        p -> {
          p.getMetadata().setManagedFields(null);
          return p;
        });
  }

  @Override
  public String getKey(T obj) {
    return store.getKey(obj);
  }

  @Override
  public T put(String key, T obj) {
    return store.put(key, prune.apply(obj));
  }

  @Override
  public T remove(String key) {
    return store.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return store.keySet();
  }

  @Override
  public Stream<T> values() {
    return store.values();
  }

  @Override
  public int size() {
    return store.size();
  }

  @Override
  public T get(String key) {
    return store.get(key);
  }
}
