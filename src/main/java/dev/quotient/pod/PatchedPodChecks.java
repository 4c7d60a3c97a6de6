package dev.quotient.pod;

import dev.quotient.settings.PodSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What a license's pod patch may not do to the pod, beyond its identity and the project container's
 * resources: move it (placement is the quota's business: node groups, GPU nodes, the project node
 * selector), run an image outside the allow-list, or make the pod request more than the lease
 * admission granted (the ledger and the quotas count the lease, the scheduler the pod).
 */
final class PatchedPodChecks {
  private PatchedPodChecks() {}

  static List<String> placementChanged(Pod before, Pod after) {
    PodSpec b = before.getSpec();
    PodSpec a = after.getSpec();
    List<String> fields = new ArrayList<>();
    if (!Objects.equals(b.getNodeName(), a.getNodeName())) {
      fields.add("spec.nodeName");
    }
    if (!Objects.equals(orEmpty(b.getNodeSelector()), orEmpty(a.getNodeSelector()))) {
      fields.add("spec.nodeSelector");
    }
    if (!Objects.equals(b.getAffinity(), a.getAffinity())) {
      fields.add("spec.affinity");
    }
    if (!Objects.equals(orEmpty(b.getTolerations()), orEmpty(a.getTolerations()))) {
      fields.add("spec.tolerations");
    }
    return fields.isEmpty()
        ? List.of()
        : List.of(
            "a pod patch may not change the pod's placement ("
                + String.join(", ", fields)
                + "); placement comes from the license quota (dedicatedNodeGroup, gpu) and the"
                + " settings");
  }

  static List<String> imagesNotAllowed(Pod pod, PodSettings settings) {
    TreeSet<String> refused = new TreeSet<>();
    allContainers(pod.getSpec())
        .map(Container::getImage)
        .filter(image -> image == null || !settings.imageFor(image).equals(image))
        .forEach(image -> refused.add(String.valueOf(image)));
    return refused.isEmpty()
        ? List.of()
        : List.of(
            "a pod patch may only use the default image or one of pod.allowedImages; not "
                + String.join(", ", refused));
  }

  /**
   * The pod's effective request per resource (Kubernetes' rule: the larger of the largest init
   * container's and the sum of the containers') may not exceed the project container's, which is
   * the lease.
   */
  static List<String> requestsBeyondLease(Pod pod, Container project) {
    Map<String, Quantity> lease = requests(project);
    TreeSet<String> names = new TreeSet<>(lease.keySet());
    allContainers(pod.getSpec()).forEach(c -> names.addAll(requests(c).keySet()));
    List<String> out = new ArrayList<>();
    for (String r : names) {
      BigDecimal sum = BigDecimal.ZERO;
      for (Container c : orEmpty(pod.getSpec().getContainers())) {
        sum = sum.add(amount(requests(c).get(r)));
      }
      BigDecimal init = BigDecimal.ZERO;
      for (Container c : orEmpty(pod.getSpec().getInitContainers())) {
        init = init.max(amount(requests(c).get(r)));
      }
      BigDecimal effective = sum.max(init);
      BigDecimal granted = amount(lease.get(r));
      if (effective.compareTo(granted) > 0) {
        out.add(
            "a pod patch may not make the pod request more "
                + r
                + " than its lease ("
                + effective.stripTrailingZeros().toPlainString()
                + " > "
                + granted.stripTrailingZeros().toPlainString()
                + "); give the extra containers no requests, or raise the license quota");
      }
    }
    return out;
  }

  /** A container's requests; a limit without a request is a request of the same amount. */
  private static Map<String, Quantity> requests(Container c) {
    ResourceRequirements r = c == null ? null : c.getResources();
    Map<String, Quantity> out = new java.util.HashMap<>();
    if (r != null && r.getLimits() != null) {
      out.putAll(r.getLimits());
    }
    if (r != null && r.getRequests() != null) {
      out.putAll(r.getRequests());
    }
    return out;
  }

  private static BigDecimal amount(Quantity q) {
    return q == null ? BigDecimal.ZERO : q.getNumericalAmount();
  }

  private static Stream<Container> allContainers(PodSpec spec) {
    return Stream.concat(
        orEmpty(spec.getInitContainers()).stream(), orEmpty(spec.getContainers()).stream());
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
    return map == null ? Map.of() : map;
  }
}
