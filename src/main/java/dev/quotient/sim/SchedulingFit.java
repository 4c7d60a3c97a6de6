package dev.quotient.sim;

import dev.quotient.quota.LabelSelectors;
import dev.quotient.quota.Quantities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The scheduler's filter step, for the simulation: node selector, required node affinity, taints
 * against tolerations and free allocatable. Returns why a node does not fit, in kube-scheduler's
 * words, or empty when it fits.
 */
final class SchedulingFit {
  private SchedulingFit() {}

  static Optional<String> whyNot(Pod pod, Node node, List<Pod> podsOnNode) {
    Map<String, String> labels =
        node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    if (Boolean.TRUE.equals(node.getSpec() == null ? null : node.getSpec().getUnschedulable())) {
      return Optional.of("node(s) were unschedulable");
    }
    if (!ready(node)) {
      return Optional.of("node(s) had untolerated taint {node.kubernetes.io/not-ready: }");
    }
    Map<String, String> selector = pod.getSpec().getNodeSelector();
    if (selector != null
        && !selector.entrySet().stream()
            .allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()))) {
      return Optional.of("node(s) didn't match Pod's node affinity/selector");
    }
    var affinity = pod.getSpec().getAffinity();
    if (affinity != null
        && affinity.getNodeAffinity() != null
        && affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
      List<NodeSelectorTerm> terms =
          affinity
              .getNodeAffinity()
              .getRequiredDuringSchedulingIgnoredDuringExecution()
              .getNodeSelectorTerms();
      boolean any = terms.stream().anyMatch(t -> matches(t, labels));
      if (!any) {
        return Optional.of("node(s) didn't match Pod's node affinity/selector");
      }
    }
    List<Toleration> tolerations =
        pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
    for (Taint taint :
        node.getSpec() == null || node.getSpec().getTaints() == null
            ? List.<Taint>of()
            : node.getSpec().getTaints()) {
      if (!"NoSchedule".equals(taint.getEffect()) && !"NoExecute".equals(taint.getEffect())) {
        continue;
      }
      if (tolerations.stream().noneMatch(t -> tolerates(t, taint))) {
        return Optional.of(
            "node(s) had untolerated taint {"
                + taint.getKey()
                + ": "
                + (taint.getValue() == null ? "" : taint.getValue())
                + "}");
      }
    }
    Map<String, BigDecimal> allocatable = new HashMap<>();
    if (node.getStatus() != null && node.getStatus().getAllocatable() != null) {
      node.getStatus().getAllocatable().forEach((k, v) -> allocatable.put(k, amount(v)));
    }
    Map<String, BigDecimal> used = new HashMap<>();
    podsOnNode.forEach(p -> requests(p).forEach((k, v) -> used.merge(k, v, BigDecimal::add)));
    for (Map.Entry<String, BigDecimal> r : new TreeMap<>(requests(pod)).entrySet()) {
      BigDecimal free =
          allocatable
              .getOrDefault(r.getKey(), BigDecimal.ZERO)
              .subtract(used.getOrDefault(r.getKey(), BigDecimal.ZERO));
      if (r.getValue().signum() > 0 && r.getValue().compareTo(free) > 0) {
        return Optional.of("Insufficient " + r.getKey());
      }
    }
    BigDecimal maxPods = allocatable.get("pods");
    if (maxPods != null && BigDecimal.valueOf(podsOnNode.size() + 1L).compareTo(maxPods) > 0) {
      return Optional.of("Too many pods");
    }
    return Optional.empty();
  }

  static boolean ready(Node node) {
    if (node.getStatus() == null || node.getStatus().getConditions() == null) {
      return true;
    }
    return node.getStatus().getConditions().stream()
        .filter(c -> "Ready".equals(c.getType()))
        .allMatch(c -> "True".equals(c.getStatus()));
  }

  private static boolean matches(NodeSelectorTerm term, Map<String, String> labels) {
    List<NodeSelectorRequirement> exprs =
        term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
    return exprs.stream()
        .allMatch(r -> LabelSelectors.matches(r.getKey(), r.getOperator(), r.getValues(), labels));
  }

  static boolean tolerates(Toleration t, Taint taint) {
    if (t.getEffect() != null
        && !t.getEffect().isEmpty()
        && !t.getEffect().equals(taint.getEffect())) {
      return false;
    }
    if (t.getKey() == null || t.getKey().isEmpty()) {
      return "Exists".equals(t.getOperator());
    }
    if (!t.getKey().equals(taint.getKey())) {
      return false;
    }
    return "Exists".equals(t.getOperator())
        || Objects.equals(nullToEmpty(t.getValue()), nullToEmpty(taint.getValue()));
  }

  /**
   * Sum of container requests (limits stand in for missing requests, as the API server defaults
   * them).
   */
  static Map<String, BigDecimal> requests(Pod pod) {
    Map<String, BigDecimal> out = new HashMap<>();
    for (Container c :
        pod.getSpec().getContainers() == null
            ? List.<Container>of()
            : pod.getSpec().getContainers()) {
      Map<String, Quantity> req = new HashMap<>();
      if (c.getResources() != null && c.getResources().getLimits() != null) {
        req.putAll(c.getResources().getLimits());
      }
      if (c.getResources() != null && c.getResources().getRequests() != null) {
        req.putAll(c.getResources().getRequests());
      }
      req.forEach(
          (k, v) -> {
            if (!k.equals("ephemeral-storage")) {
              out.merge(k, amount(v), BigDecimal::add);
            }
          });
    }
    return out;
  }

  private static BigDecimal amount(Quantity q) {
    return Quantities.parse("quantity", q.toString());
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  /**
   * kube-scheduler's summary: "0/4 nodes are available: 1 node(s) had ..., 3 Insufficient memory."
   */
  static String summary(int nodes, List<String> reasons) {
    Map<String, Integer> counts = new TreeMap<>();
    reasons.forEach(r -> counts.merge(r, 1, Integer::sum));
    List<String> parts = new ArrayList<>();
    counts.forEach((r, n) -> parts.add(n + " " + r));
    return "0/" + nodes + " nodes are available: " + String.join(", ", parts) + ".";
  }
}
