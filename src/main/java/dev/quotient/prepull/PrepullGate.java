package dev.quotient.prepull;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Per node: gated (tainted {@code quotient.dev/prepull=pending:NoSchedule}) until the prepull pod
 * for the current images is Ready on it, then the taint goes and the annotation {@link
 * #PREPULLED_ANNOTATION} records the images it has. A node whose annotation names other images (a
 * node that joined, or every node after the default image changed, or when prepull was just
 * switched on) is gated again. NoSchedule keeps only new pods away: running projects stay.
 *
 * <p>Only the taint with our key and our annotation are ever changed: every other taint, label and
 * annotation stays (the write is a {@link dev.quotient.nodegroup.NodePatch}).
 */
public final class PrepullGate {
  /** The gate's taint key; any taint under it is ours. */
  public static final String TAINT_KEY = "quotient.dev/prepull";

  public static final String TAINT_VALUE = "pending";
  public static final String TAINT_EFFECT = "NoSchedule";

  /** Annotation on a node: the images its prepull pod pulled (comma-separated). */
  public static final String PREPULLED_ANNOTATION = "quotient.dev/prepulled-images";

  /** Where a node stands. */
  public enum Verdict {
    /** Prepull is off: no taint, no record. */
    OFF,
    /** Not a project node (see {@link PrepullTarget#selects}): never gated. */
    NOT_A_PROJECT_NODE,
    /** Gated until its prepull pod for the current images is Ready. */
    PENDING,
    /** Its prepull pod just became Ready: the gate opens now. */
    PULLED,
    /** Has the current images. */
    PREPULLED
  }

  /**
   * What to do with one node.
   *
   * @param desired the node as it should be, empty when it already is
   */
  public record Decision(Verdict verdict, Optional<Node> desired) {}

  private PrepullGate() {}

  /**
   * @param target null when prepull is off
   * @param podReady whether this node's prepull pod for {@code target}'s images is Ready
   */
  public static Decision decide(Node node, PrepullTarget target, boolean podReady) {
    if (target == null) {
      return new Decision(Verdict.OFF, desired(node, false, null, true));
    }
    if (!target.selects(node)) {
      // The record stays: the images are still there should the node become a project node.
      return new Decision(Verdict.NOT_A_PROJECT_NODE, desired(node, false, null, false));
    }
    String has = annotations(node).get(PREPULLED_ANNOTATION);
    if (target.imageList().equals(has)) {
      return new Decision(Verdict.PREPULLED, desired(node, false, null, false));
    }
    if (podReady) {
      return new Decision(Verdict.PULLED, desired(node, false, target.imageList(), false));
    }
    return new Decision(Verdict.PENDING, desired(node, true, null, false));
  }

  /** Whether the node has the gate's taint now. */
  public static boolean gated(Node node) {
    return taints(node).stream().anyMatch(t -> TAINT_KEY.equals(t.getKey()));
  }

  /**
   * Whether a prepull pod of these images runs Ready on the node: not one of an older image set,
   * not terminating.
   */
  public static boolean readyOn(String nodeName, List<Pod> pods, String imagesHash) {
    return pods.stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> p.getSpec() != null && nodeName.equals(p.getSpec().getNodeName()))
        .filter(
            p ->
                p.getMetadata().getLabels() != null
                    && imagesHash.equals(
                        p.getMetadata().getLabels().get(PrepullDaemonSet.IMAGES_HASH_LABEL)))
        .anyMatch(PrepullGate::ready);
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /**
   * @param record the images to record, null to keep the annotation as it is (unless {@code
   *     forget})
   */
  private static Optional<Node> desired(Node node, boolean taint, String record, boolean forget) {
    List<Taint> current = taints(node);
    List<Taint> taints = new ArrayList<>();
    current.stream().filter(t -> !TAINT_KEY.equals(t.getKey())).forEach(taints::add);
    if (taint) {
      taints.add(
          new TaintBuilder()
              .withKey(TAINT_KEY)
              .withValue(TAINT_VALUE)
              .withEffect(TAINT_EFFECT)
              .build());
    }
    Map<String, String> annotations = new HashMap<>(annotations(node));
    if (record != null) {
      annotations.put(PREPULLED_ANNOTATION, record);
    } else if (forget) {
      annotations.remove(PREPULLED_ANNOTATION);
    }
    boolean sameTaints =
        taints.size() == current.size()
            && (!taint
                || current.stream()
                    .anyMatch(
                        t ->
                            TAINT_KEY.equals(t.getKey())
                                && TAINT_VALUE.equals(t.getValue())
                                && TAINT_EFFECT.equals(t.getEffect())));
    if (sameTaints && annotations.equals(annotations(node))) {
      return Optional.empty();
    }
    return Optional.of(
        new NodeBuilder(node)
            .editMetadata()
            .withAnnotations(annotations)
            .endMetadata()
            .editOrNewSpec()
            .withTaints(taints)
            .endSpec()
            .build());
  }

  private static List<Taint> taints(Node n) {
    return n.getSpec() == null || n.getSpec().getTaints() == null
        ? List.of()
        : n.getSpec().getTaints();
  }

  private static Map<String, String> annotations(Node n) {
    return n.getMetadata().getAnnotations() == null ? Map.of() : n.getMetadata().getAnnotations();
  }

  /** For Events: the taint as kubectl writes it. */
  public static String taintText() {
    return TAINT_KEY + "=" + TAINT_VALUE + ":" + TAINT_EFFECT;
  }
}
