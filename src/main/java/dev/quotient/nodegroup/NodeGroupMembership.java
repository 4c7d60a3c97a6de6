package dev.quotient.nodegroup;

import dev.quotient.api.DedicatedNodeGroup;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which DedicatedNodeGroup a node belongs to, and the labels and taints it should carry. A node
 * claimed by several groups goes to the one whose name sorts first, so two groups never fight over
 * it. Only the group key's label and taint are ever changed; other taints stay.
 */
public final class NodeGroupMembership {
  /** Annotation recording which group this operator labelled the node for. */
  public static final String MANAGED_ANNOTATION = "quotient.dev/managed-node-group";

  private NodeGroupMembership() {}

  public static boolean claims(DedicatedNodeGroup group, Node node) {
    if (group.getSpec() == null || group.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    String name = node.getMetadata().getName();
    if (group.getSpec().getNodeNames() != null && group.getSpec().getNodeNames().contains(name)) {
      return true;
    }
    Map<String, String> selector = group.getSpec().getNodeSelector();
    return selector != null
        && !selector.isEmpty()
        && selector.entrySet().stream()
            .allMatch(e -> Objects.equals(labels(node).get(e.getKey()), e.getValue()));
  }

  /** The group a node belongs to, if any. */
  public static Optional<DedicatedNodeGroup> owner(Node node, List<DedicatedNodeGroup> groups) {
    return groups.stream()
        .filter(g -> claims(g, node))
        .min(Comparator.comparing(g -> g.getMetadata().getName()));
  }

  /**
   * The node as it should be: labelled (and tainted, unless the group says not to) for its group,
   * or cleared of what this operator set for a group it left. Empty when nothing changes.
   */
  public static Optional<Node> desired(Node node, DedicatedNodeGroup group, String key) {
    String managed = annotations(node).get(MANAGED_ANNOTATION);
    String groupName = group == null ? null : group.getMetadata().getName();
    if (groupName == null && managed == null) {
      return Optional.empty();
    }
    boolean taint = group != null && !Boolean.FALSE.equals(group.getSpec().getTaint());
    Map<String, String> labels = new HashMap<>(labels(node));
    Map<String, String> annotations = new HashMap<>(annotations(node));
    List<Taint> taints = new ArrayList<>();
    List<Taint> current =
        node.getSpec() == null || node.getSpec().getTaints() == null
            ? List.of()
            : node.getSpec().getTaints();
    for (Taint t : current) {
      // A managed node's taints under the group key are ours to set: a leftover with another
      // value (a CoCalc-style manual taint) would duplicate key and effect, which the API refuses.
      boolean ours =
          key.equals(t.getKey()) && (groupName != null || Objects.equals(t.getValue(), managed));
      if (!ours) {
        taints.add(t);
      }
    }
    if (groupName != null) {
      labels.put(key, groupName);
      annotations.put(MANAGED_ANNOTATION, groupName);
      if (taint) {
        taints.add(
            new TaintBuilder().withKey(key).withValue(groupName).withEffect("NoSchedule").build());
      }
    } else {
      if (Objects.equals(labels.get(key), managed)) {
        labels.remove(key);
      }
      annotations.remove(MANAGED_ANNOTATION);
    }
    boolean same =
        labels.equals(labels(node))
            && annotations.equals(annotations(node))
            && sameTaints(taints, current);
    if (same) {
      return Optional.empty();
    }
    Node out =
        new io.fabric8.kubernetes.api.model.NodeBuilder(node)
            .editMetadata()
            .withLabels(labels)
            .withAnnotations(annotations)
            .endMetadata()
            .editOrNewSpec()
            .withTaints(taints)
            .endSpec()
            .build();
    return Optional.of(out);
  }

  private static boolean sameTaints(List<Taint> a, List<Taint> b) {
    return a.size() == b.size()
        && a.stream()
            .allMatch(
                t ->
                    b.stream()
                        .anyMatch(
                            u ->
                                Objects.equals(t.getKey(), u.getKey())
                                    && Objects.equals(t.getValue(), u.getValue())
                                    && Objects.equals(t.getEffect(), u.getEffect())));
  }

  private static Map<String, String> labels(Node n) {
    return n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
  }

  private static Map<String, String> annotations(Node n) {
    return n.getMetadata().getAnnotations() == null ? Map.of() : n.getMetadata().getAnnotations();
  }
}
