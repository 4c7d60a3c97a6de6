package dev.quotient.prepull;

import dev.quotient.settings.PodSettings;
import dev.quotient.settings.Settings;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What prepull aims at while it is on: the images every project node must have, and which nodes are
 * project nodes. The DaemonSet ({@link PrepullDaemonSet}) and the node gate ({@link PrepullGate})
 * both follow this one definition, so the operator never taints a node the DaemonSet does not reach
 * (it would stay tainted for good).
 *
 * <p>A project node is one that matches {@code pod.projectNodeSelector} (every node when it is
 * empty) or carries the node-group label (a DedicatedNodeGroup member), and whose NoSchedule and
 * NoExecute taints the prepull pods tolerate: ours, the node-group taint, the GPU taint, the
 * settings' project tolerations, and the {@code node.kubernetes.io/} condition taints the DaemonSet
 * controller tolerates by itself. A control-plane node with its own taint is therefore never gated.
 */
public record PrepullTarget(
    String namespace, List<String> images, String pauseImage, PodSettings pod, String gpuResource) {

  public PrepullTarget {
    images = List.copyOf(images);
  }

  /** The target, or empty when prepull is off. */
  public static Optional<PrepullTarget> of(Settings s, String namespace) {
    if (!s.prepull().enabled()) {
      return Optional.empty();
    }
    return Optional.of(
        new PrepullTarget(
            namespace,
            s.prepull().imagesToPull(s.pod().defaultImage()),
            s.prepull().pauseImage(),
            s.pod(),
            s.quotaPolicy().defaultGpuResource()));
  }

  /**
   * The images as recorded on a node that has them ({@link PrepullGate#PREPULLED_ANNOTATION}):
   * comma-separated, the default image first.
   */
  public String imageList() {
    return String.join(",", images);
  }

  /** A short hash of {@link #imageList()}: a label value naming the pods of this image set. */
  public String imagesHash() {
    return hash(imageList());
  }

  /** What the prepull pods tolerate, so they reach every project node. */
  public List<Toleration> tolerations() {
    LinkedHashSet<Toleration> out = new LinkedHashSet<>();
    out.add(exists(PrepullGate.TAINT_KEY));
    out.add(exists(pod.nodeGroupKey()));
    out.add(exists(gpuResource));
    out.addAll(pod.projectTolerations());
    return new ArrayList<>(out);
  }

  /** Whether the node is a project node that the prepull DaemonSet runs a pod on. */
  public boolean selects(Node node) {
    Map<String, String> labels =
        node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    boolean selected =
        pod.projectNodeSelector().isEmpty()
            || labels.containsKey(pod.nodeGroupKey())
            || pod.projectNodeSelector().entrySet().stream()
                .allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()));
    if (!selected) {
      return false;
    }
    List<Taint> taints =
        node.getSpec() == null || node.getSpec().getTaints() == null
            ? List.of()
            : node.getSpec().getTaints();
    List<Toleration> tolerations = tolerations();
    return taints.stream()
        .filter(t -> "NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect()))
        .filter(t -> t.getKey() == null || !t.getKey().startsWith("node.kubernetes.io/"))
        // ours, whatever its value and effect: the gate replaces it with the one the pods tolerate
        .filter(t -> !PrepullGate.TAINT_KEY.equals(t.getKey()))
        .allMatch(t -> tolerations.stream().anyMatch(tol -> tolerates(tol, t)));
  }

  /** Kubernetes' rule for one toleration and one taint. */
  static boolean tolerates(Toleration tol, Taint taint) {
    if (tol.getEffect() != null
        && !tol.getEffect().isEmpty()
        && !tol.getEffect().equals(taint.getEffect())) {
      return false;
    }
    if (tol.getKey() == null || tol.getKey().isEmpty()) {
      return "Exists".equals(tol.getOperator());
    }
    if (!tol.getKey().equals(taint.getKey())) {
      return false;
    }
    return "Exists".equals(tol.getOperator())
        || Objects.equals(
            tol.getValue() == null ? "" : tol.getValue(),
            taint.getValue() == null ? "" : taint.getValue());
  }

  private static Toleration exists(String key) {
    return new TolerationBuilder()
        .withKey(key)
        .withOperator("Exists")
        .withEffect("NoSchedule")
        .build();
  }

  static String hash(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
