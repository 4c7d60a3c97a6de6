package dev.quotient.controller;

import dev.quotient.api.EffectiveQuotaStatus;
import dev.quotient.api.LicenseResult;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectStatus;
import dev.quotient.api.QuotientLabels;
import io.fabric8.kubernetes.api.model.Condition;
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
import java.util.List;
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

  /** Projects: everything but managedFields, with the values thousands of them share interned. */
  static PrunedStore<Project> projects() {
    return new PrunedStore<>(PrunedStore::pruneProject);
  }

  /**
   * Drops managedFields and interns what many Projects repeat: kind, namespace, label and
   * annotation values, the status's condition types, reasons, messages and times (a storm starts
   * dozens a second), the node, the effective quota ("2", "4Gi", "90m"). Each Jackson read gave
   * every project its own copies, about a tenth of its heap. The values stay equal, so the Project
   * reads, compares and serializes as it came.
   */
  static Project pruneProject(Project p) {
    p.setApiVersion(intern(p.getApiVersion()));
    p.setKind(intern(p.getKind()));
    ObjectMeta m = p.getMetadata();
    if (m != null) {
      m.setManagedFields(null);
      m.setNamespace(intern(m.getNamespace()));
      m.setCreationTimestamp(intern(m.getCreationTimestamp()));
      m.setLabels(internAll(m.getLabels(), k -> true));
      m.setAnnotations(internAll(m.getAnnotations(), k -> true));
    }
    if (p.getSpec() != null) {
      p.getSpec().setImage(intern(p.getSpec().getImage()));
      p.getSpec().setLicenses(internList(p.getSpec().getLicenses()));
    }
    ProjectStatus s = p.getStatus();
    if (s == null) {
      return p;
    }
    s.setMessage(intern(s.getMessage()));
    s.setNodeName(intern(s.getNodeName()));
    s.setStartedAt(intern(s.getStartedAt()));
    s.setLastActivity(intern(s.getLastActivity()));
    s.setStoppedAt(intern(s.getStoppedAt()));
    s.setWaitingSince(intern(s.getWaitingSince()));
    s.setExitReason(intern(s.getExitReason()));
    s.setFinishedAt(intern(s.getFinishedAt()));
    s.setSkippedNodeGroups(internList(s.getSkippedNodeGroups()));
    if (s.getConditions() != null) {
      for (Condition c : s.getConditions()) {
        c.setType(intern(c.getType()));
        c.setStatus(intern(c.getStatus()));
        c.setReason(intern(c.getReason()));
        c.setMessage(intern(c.getMessage()));
        c.setLastTransitionTime(intern(c.getLastTransitionTime()));
      }
    }
    if (s.getLicenses() != null) {
      for (LicenseResult r : s.getLicenses()) {
        r.setName(intern(r.getName()));
        r.setReason(intern(r.getReason()));
        r.setMessage(intern(r.getMessage()));
      }
    }
    EffectiveQuotaStatus q = s.getEffectiveQuota();
    if (q != null) {
      q.setCpuLimit(intern(q.getCpuLimit()));
      q.setCpuRequest(intern(q.getCpuRequest()));
      q.setMemoryLimit(intern(q.getMemoryLimit()));
      q.setMemoryRequest(intern(q.getMemoryRequest()));
      q.setEphemeralStorage(intern(q.getEphemeralStorage()));
      q.setGpuResource(intern(q.getGpuResource()));
      q.setAlwaysRunningBy(intern(q.getAlwaysRunningBy()));
      q.setPreemptibleBy(intern(q.getPreemptibleBy()));
      q.setIdleTimeout(intern(q.getIdleTimeout()));
      q.setGpuIdleTimeout(intern(q.getGpuIdleTimeout()));
      q.setMaxDuration(intern(q.getMaxDuration()));
      q.setNodeGroup(intern(q.getNodeGroup()));
    }
    return p;
  }

  private static List<String> internList(List<String> values) {
    return values == null ? null : values.stream().map(PrunedStore::intern).toList();
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
