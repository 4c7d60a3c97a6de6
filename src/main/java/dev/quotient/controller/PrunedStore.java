package dev.quotient.controller;

import dev.quotient.api.Project;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
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

  /** Project pods: metadata without managedFields, of the spec only the node. */
  static PrunedStore<Pod> pods() {
    return new PrunedStore<>(
        pod -> {
          pod.getMetadata().setManagedFields(null);
          if (pod.getSpec() != null) {
            PodSpec kept = new PodSpec();
            kept.setNodeName(pod.getSpec().getNodeName());
            pod.setSpec(kept);
          }
          return pod;
        });
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
