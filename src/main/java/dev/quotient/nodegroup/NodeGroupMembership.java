package dev.quotient.nodegroup;

import dev.quotient.api.DedicatedNodeGroup;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which DedicatedNodeGroup a node belongs to, and the labels and taints it should carry. A node
 * claimed by several groups goes to the one whose name sorts first, so two groups never fight over
 * it. Only the group key's label and taint are ever changed; other labels and taints stay.
 *
 * <p>Two annotations on the node remember what the operator set, so that it can take it away again
 * after a restart: the group ({@link #MANAGED_ANNOTATION}) and the label/taint key it used ({@link
 * #KEY_ANNOTATION}), which the setting {@code nodeGroupKey} may have changed since.
 */
public final class NodeGroupMembership {
  /** Annotation recording which group this operator labelled the node for. */
  public static final String MANAGED_ANNOTATION = "quotient.dev/managed-node-group";

  /**
   * Annotation recording the label and taint key the node was labelled under. Nodes labelled before
   * it existed have none: for them the current key is assumed.
   */
  public static final String KEY_ANNOTATION = "quotient.dev/managed-node-group-key";

  private static final String NO_SCHEDULE = "NoSchedule";

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

  /** The group this operator labelled the node for, or null. */
  public static String managedBy(Node node) {
    return annotations(node).get(MANAGED_ANNOTATION);
  }

  /**
   * What to write so the node is labelled (and tainted, unless the group says not to) for {@code
   * group}, or, with a null group, cleared of what this operator set for the group it left. Empty
   * when nothing changes.
   */
  public static Optional<NodePatch> patch(Node node, DedicatedNodeGroup group, String key) {
    return desired(node, group, key).flatMap(d -> NodePatch.between(node, d));
  }

  /**
   * The node as it should be: labelled (and tainted, unless the group says not to) for its group,
   * or cleared of what this operator set for a group it left. Labels and taints set under an
   * earlier key ({@link #KEY_ANNOTATION}) move to {@code key}. Empty when nothing changes.
   */
  public static Optional<Node> desired(Node node, DedicatedNodeGroup group, String key) {
    String managed = managedBy(node);
    String groupName = group == null ? null : group.getMetadata().getName();
    if (groupName == null && managed == null) {
      return Optional.empty();
    }
    Set<String> keys =
        new HashSet<>(List.of(key, annotations(node).getOrDefault(KEY_ANNOTATION, key)));
    boolean taint = group != null && !Boolean.FALSE.equals(group.getSpec().getTaint());
    Map<String, String> labels = new HashMap<>(labels(node));
    Map<String, String> annotations = new HashMap<>(annotations(node));
    List<Taint> taints = new ArrayList<>();
    List<Taint> current = taints(node);
    for (Taint t : current) {
      boolean setByUs =
          managed != null
              && keys.contains(t.getKey())
              && managed.equals(t.getValue())
              && NO_SCHEDULE.equals(t.getEffect());
      // Another NoSchedule taint under the key (a CoCalc-style manual one) would duplicate key and
      // effect of ours, which the API refuses: ours replaces it.
      boolean clashes = taint && key.equals(t.getKey()) && NO_SCHEDULE.equals(t.getEffect());
      if (!setByUs && !clashes) {
        taints.add(t);
      }
    }
    if (managed != null) {
      // A label someone else changed meanwhile is theirs.
      keys.forEach(k -> labels.remove(k, managed));
    }
    if (groupName != null) {
      labels.put(key, groupName);
      annotations.put(MANAGED_ANNOTATION, groupName);
      annotations.put(KEY_ANNOTATION, key);
      if (taint) {
        taints.add(
            new TaintBuilder().withKey(key).withValue(groupName).withEffect(NO_SCHEDULE).build());
      }
    } else {
      annotations.remove(MANAGED_ANNOTATION);
      annotations.remove(KEY_ANNOTATION);
    }
    boolean same =
        labels.equals(labels(node))
            && annotations.equals(annotations(node))
            && sameTaints(taints, current);
    if (same) {
      return Optional.empty();
    }
    Node out =
        new NodeBuilder(node)
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

  /** The same taints (key, value and effect), in any order. */
  static boolean sameTaints(List<Taint> a, List<Taint> b) {
    return a.size() == b.size()
        && a.stream().allMatch(t -> b.stream().anyMatch(u -> sameTaint(t, u)))
        && b.stream().allMatch(u -> a.stream().anyMatch(t -> sameTaint(t, u)));
  }

  private static boolean sameTaint(Taint t, Taint u) {
    return Objects.equals(t.getKey(), u.getKey())
        && Objects.equals(t.getValue(), u.getValue())
        && Objects.equals(t.getEffect(), u.getEffect());
  }

  static List<Taint> taints(Node n) {
    return n.getSpec() == null || n.getSpec().getTaints() == null
        ? List.of()
        : n.getSpec().getTaints();
  }

  static Map<String, String> labels(Node n) {
    return n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
  }

  static Map<String, String> annotations(Node n) {
    return n.getMetadata().getAnnotations() == null ? Map.of() : n.getMetadata().getAnnotations();
  }
}
