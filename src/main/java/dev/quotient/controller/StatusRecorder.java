package dev.quotient.controller;

import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.util.Objects;

/**
 * The one place that writes the status of our kinds. An unchanged status is not written. A changed
 * one is a full status update carrying the resourceVersion, not a JSON-patch diff against our
 * cache: a diff of list indexes applied to a newer server copy (another replica, a restart) can
 * corrupt the lists, while a conflict (409) simply fails the reconcile, which is retried on fresh
 * data. The written resource goes into the operator's cache, so the next reconcile sees it even
 * before its watch event arrives.
 */
public final class StatusRecorder {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(StatusRecorder.class);

  private StatusRecorder() {}

  /**
   * Writes {@code next} as the status of {@code resource} unless it equals the current one; returns
   * the resource as written (or as it was when nothing changed).
   */
  public static <R extends CustomResource<?, S>, S> R record(
      R resource, S next, Context<R> context) {
    if (Objects.equals(next, resource.getStatus())) {
      return resource;
    }
    if (log.isDebugEnabled()) {
      log.debug(
          "{} {}/{}: status {} -> {}",
          resource.getKind(),
          resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(),
          io.fabric8.kubernetes.client.utils.Serialization.asJson(resource.getStatus()),
          io.fabric8.kubernetes.client.utils.Serialization.asJson(next));
    }
    return PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(
        resource,
        context,
        r -> {
          r.setStatus(next);
          return r;
        });
  }
}
