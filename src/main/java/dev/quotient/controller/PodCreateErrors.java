package dev.quotient.controller;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The one place that says what an API error on a pod create means for the project: wait, retry
 * soon, give up with the server's reason, or let the reconcile fail so JOSDK retries with backoff.
 */
final class PodCreateErrors {
  /** What a refused pod create means. */
  enum Kind {
    /** 409: the pod exists already; the cache had not seen it. */
    AlreadyExists,
    /** 403 "exceeded quota": the namespace's ResourceQuota is full. A wait, never a failure. */
    NamespaceQuota,
    /** 403 naming the service account: a namespace created a moment ago; it passes by itself. */
    ServiceAccountMissing,
    /** 400, 422 or any other 403: validation or a policy refused it, retrying will not help. */
    Refused,
    /** Anything else (5xx, 429, timeouts): retried with backoff by failing the reconcile. */
    Transient
  }

  private PodCreateErrors() {}

  static Kind classify(RuntimeException e) {
    if (!(e instanceof KubernetesClientException ke)) {
      return Kind.Transient;
    }
    String text = message(ke);
    return switch (ke.getCode()) {
      case 409 -> Kind.AlreadyExists;
      case 403 ->
          text.contains("exceeded quota")
              ? Kind.NamespaceQuota
              : text.contains("service account") || text.contains("serviceaccount")
                  ? Kind.ServiceAccountMissing
                  : Kind.Refused;
      case 400, 422 -> Kind.Refused;
      default -> Kind.Transient;
    };
  }

  /** The API server's own words. */
  static String message(KubernetesClientException e) {
    String m =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : e.getMessage();
    return m == null ? "" : m;
  }
}
