package dev.quotient.controller;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's one informer on Nodes, shared by the Project side (the limits: the cluster quota
 * and node-group capacity) and the DedicatedNodeGroup side (membership, labels, taints), so both
 * decide on the same view and the nodes are held in memory once. Started, and synced, before the
 * reconcilers; listeners hear of every change after that.
 */
final class NodeCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeCache.class);
  private final SharedIndexInformer<Node> informer;
  private final List<Consumer<Node>> listeners = new CopyOnWriteArrayList<>();

  /**
   * @param onFailure called when the informer stops for good (its watch cannot resume)
   */
  NodeCache(KubernetesClient client, Consumer<Throwable> onFailure) {
    informer =
        client
            .nodes()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Node node) {
                    changed(node);
                  }

                  @Override
                  public void onUpdate(Node old, Node node) {
                    changed(node);
                  }

                  @Override
                  public void onDelete(Node node, boolean unknownFinalState) {
                    changed(node);
                  }
                },
                0);
    informer
        .stopped()
        .whenComplete(
            (done, failure) -> {
              if (failure != null) {
                onFailure.accept(failure);
              }
            });
  }

  private void changed(Node node) {
    for (Consumer<Node> l : listeners) {
      try {
        l.accept(node);
      } catch (RuntimeException e) {
        log.warn("a node listener failed on {}: {}", node.getMetadata().getName(), e.toString());
      }
    }
  }

  /** Called with each node added, changed or deleted. */
  void onChange(Consumer<Node> listener) {
    listeners.add(listener);
  }

  List<Node> list() {
    return informer.getStore().list();
  }

  Optional<Node> get(String name) {
    return Optional.ofNullable(informer.getStore().getByKey(name));
  }

  @Override
  public void close() {
    informer.close();
  }
}
