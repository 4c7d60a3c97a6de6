package dev.quotient.admission;

import static dev.quotient.api.QuotientLabels.*;

import dev.quotient.pod.ProjectPodFactory;
import dev.quotient.quota.Resources;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the lease a project pod holds from the labels the pod factory wrote. Pods that are finished
 * (Succeeded, Failed) or being deleted hold nothing.
 */
public final class PodLeases {
  private PodLeases() {}

  /** The Project owning this pod, from its controller owner reference. */
  public static Optional<ProjectKey> owner(Pod pod) {
    List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
    if (refs == null) {
      return Optional.empty();
    }
    return refs.stream()
        .filter(
            r ->
                "Project".equals(r.getKind())
                    && r.getApiVersion() != null
                    && r.getApiVersion().startsWith("quotient.dev/"))
        .findFirst()
        .map(r -> new ProjectKey(pod.getMetadata().getNamespace(), r.getName()));
  }

  /**
   * Whether the pod belongs to a Project that exists: its owner reference names a Project the
   * caller knows, with that Project's uid. A pod that belongs to no Project (forged, or left by a
   * Project deleted while the operator was away) holds no lease, whatever its labels say.
   *
   * @param projectUid the uid of the Project of that key, empty when there is none
   */
  public static boolean ownedByKnownProject(
      Pod pod, java.util.function.Function<ProjectKey, Optional<String>> projectUid) {
    List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
    Optional<ProjectKey> key = owner(pod);
    if (refs == null || key.isEmpty()) {
      return false;
    }
    String claimed =
        refs.stream()
            .filter(r -> "Project".equals(r.getKind()) && key.get().name().equals(r.getName()))
            .map(OwnerReference::getUid)
            .filter(java.util.Objects::nonNull)
            .findFirst()
            .orElse(null);
    return claimed != null && projectUid.apply(key.get()).filter(claimed::equals).isPresent();
  }

  public static boolean holdsLease(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }

  public static Optional<Lease> lease(Pod pod) {
    if (!holdsLease(pod)) {
      return Optional.empty();
    }
    // Only the pod the operator names for its project counts: a look-alike pod holds nothing.
    return owner(pod)
        .filter(key -> ProjectPodFactory.podName(key.name()).equals(pod.getMetadata().getName()))
        .map(
            key -> {
              Map<String, String> labels =
                  pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
              Resources requests =
                  new Resources(
                      number(labels.get(CPU_MILLIS)),
                      number(labels.get(MEMORY_BYTES)),
                      number(labels.get(GPU)));
              // Pods from before limits were labelled count their requests as limits.
              Resources limits =
                  new Resources(
                      labels.containsKey(CPU_LIMIT_MILLIS)
                          ? number(labels.get(CPU_LIMIT_MILLIS))
                          : requests.cpuMillis(),
                      labels.containsKey(MEMORY_LIMIT_BYTES)
                          ? number(labels.get(MEMORY_LIMIT_BYTES))
                          : requests.memoryBytes(),
                      requests.gpu());
              return new Lease(
                  key,
                  pod.getMetadata().getName(),
                  requests,
                  limits,
                  licenses(pod),
                  labels.get(NODE_GROUP),
                  dev.quotient.api.Lifetime.Ephemeral.name().equals(labels.get(LIFETIME)),
                  TeamLabels.placement(pod));
            });
  }

  public static List<String> licenses(Pod pod) {
    Map<String, String> a = pod.getMetadata().getAnnotations();
    String v = a == null ? null : a.get(LICENSES);
    return v == null || v.isBlank()
        ? List.of()
        : Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static long number(String v) {
    try {
      return v == null ? 0 : Math.max(0, Long.parseLong(v));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
