package dev.quotient.controller;

import dev.quotient.nodegroup.NodePatch;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a {@link NodePatch}: the merge patch of added labels and annotations, then the JSON patch
 * of tested changes. Neither carries a resourceVersion, so a node whose status changes all the time
 * (heartbeats) is still written; what a concurrent writer changed is protected by the patch's tests
 * instead.
 */
public final class NodePatcher {
  private static final Logger log = LoggerFactory.getLogger(NodePatcher.class);

  /** How a patch went. */
  public enum Result {
    /** Written (or nothing was left to write). */
    APPLIED,
    /** The node no longer exists: nothing to label or unlabel. */
    GONE,
    /**
     * The node changed since it was seen (a test of the JSON patch failed): nothing of the JSON
     * patch was written; look again from a fresh cache.
     */
    CHANGED_MEANWHILE
  }

  private NodePatcher() {}

  public static Result apply(KubernetesClient client, Node seen, NodePatch patch) {
    String name = seen.getMetadata().getName();
    try {
      Optional<String> merge = patch.mergePatch().map(Serialization::asJson);
      if (merge.isPresent()) {
        client.nodes().resource(seen).patch(PatchContext.of(PatchType.JSON_MERGE), merge.get());
      }
      Optional<String> json = patch.jsonPatch().map(Serialization::asJson);
      if (json.isPresent()) {
        try {
          client.nodes().resource(seen).patch(PatchContext.of(PatchType.JSON), json.get());
        } catch (KubernetesClientException e) {
          // A failed test is a 422 (a 409 if the server gave up retrying its own conflicts).
          if (e.getCode() == 422 || e.getCode() == 409) {
            log.info(
                "node {} changed since it was read; looking again ({})",
                name,
                e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage());
            return Result.CHANGED_MEANWHILE;
          }
          throw e;
        }
      }
      log.info("node {}: {}", name, String.join(", ", patch.paths()));
      return Result.APPLIED;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        log.info("node {} is gone; nothing to label or unlabel", name);
        return Result.GONE;
      }
      throw e;
    }
  }
}
