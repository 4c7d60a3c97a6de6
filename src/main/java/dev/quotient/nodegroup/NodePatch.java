package dev.quotient.nodegroup;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.Taint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The change from a node as the operator saw it to the node as it should be, written so that it
 * touches nothing else and never overwrites a change made since it was seen.
 *
 * <p>Two requests, sent in this order:
 *
 * <ol>
 *   <li>a JSON merge patch ({@link #mergePatch()}) that adds the labels and annotations the node
 *       did not have. Maps merge key by key, so this cannot disturb anyone else's keys, and it
 *       creates a missing {@code labels} or {@code annotations} map safely;
 *   <li>a JSON patch (RFC 6902, {@link #jsonPatch()}) for every value that was there: each replaced
 *       or removed label or annotation is first tested to still hold the value we saw, and the
 *       taint list (which has no merge key, so any merge patch replaces it whole) is tested to
 *       still be the list we saw before it is replaced. When the node changed meanwhile the API
 *       server refuses the whole patch (422), and the caller retries from a fresh cache.
 * </ol>
 *
 * <p>Neither request carries a resourceVersion: a busy node (kubelet heartbeats, the node
 * controller) changes it all the time, and only the fields tested here matter. A node without
 * taints has no {@code /spec/taints} to test (RFC 6902 makes testing a missing member an error), so
 * then the whole {@code /spec} is tested instead: it always exists, and a node's spec rarely
 * changes.
 *
 * <p>Order matters only if the operator stops between the two: the merge patch adds what records
 * our ownership (annotations) before the JSON patch adds the taint, and a node leaving its group
 * needs only the JSON patch, which removes the label, the taint and the annotations at once.
 */
public record NodePatch(
    Map<String, String> addedLabels,
    Map<String, String> addedAnnotations,
    List<Operation> operations) {

  /** One RFC 6902 operation; {@code value} is a string, a taint list or a node spec. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Operation(String op, String path, Object value) {
    static Operation test(String path, Object value) {
      return new Operation("test", path, value);
    }
  }

  public NodePatch {
    addedLabels = Collections.unmodifiableMap(new LinkedHashMap<>(addedLabels));
    addedAnnotations = Collections.unmodifiableMap(new LinkedHashMap<>(addedAnnotations));
    operations = List.copyOf(operations);
  }

  /** What turns {@code seen} into {@code desired}; empty when they already agree. */
  public static Optional<NodePatch> between(Node seen, Node desired) {
    Map<String, String> addedLabels = new LinkedHashMap<>();
    Map<String, String> addedAnnotations = new LinkedHashMap<>();
    List<Operation> ops = new ArrayList<>();
    diff(
        "/metadata/labels/",
        NodeGroupMembership.labels(seen),
        NodeGroupMembership.labels(desired),
        addedLabels,
        ops);
    diff(
        "/metadata/annotations/",
        NodeGroupMembership.annotations(seen),
        NodeGroupMembership.annotations(desired),
        addedAnnotations,
        ops);
    List<Taint> seenTaints = NodeGroupMembership.taints(seen);
    List<Taint> desiredTaints = NodeGroupMembership.taints(desired);
    if (!NodeGroupMembership.sameTaints(seenTaints, desiredTaints)) {
      if (seenTaints.isEmpty()) {
        NodeSpec spec = seen.getSpec() == null ? new NodeSpec() : seen.getSpec();
        ops.add(Operation.test("/spec", spec));
        ops.add(new Operation("add", "/spec/taints", desiredTaints));
      } else {
        ops.add(Operation.test("/spec/taints", seenTaints));
        ops.add(
            desiredTaints.isEmpty()
                ? new Operation("remove", "/spec/taints", null)
                : new Operation("replace", "/spec/taints", desiredTaints));
      }
    }
    if (addedLabels.isEmpty() && addedAnnotations.isEmpty() && ops.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new NodePatch(addedLabels, addedAnnotations, ops));
  }

  private static void diff(
      String prefix,
      Map<String, String> seen,
      Map<String, String> desired,
      Map<String, String> added,
      List<Operation> ops) {
    // In key order, so the same change is always the same patch (the maps' own order is arbitrary).
    new TreeMap<>(desired)
        .forEach(
            (k, v) -> {
              String was = seen.get(k);
              if (was == null) {
                added.put(k, v);
              } else if (!was.equals(v)) {
                ops.add(Operation.test(prefix + escape(k), was));
                ops.add(new Operation("replace", prefix + escape(k), v));
              }
            });
    new TreeMap<>(seen)
        .forEach(
            (k, was) -> {
              if (!desired.containsKey(k)) {
                ops.add(Operation.test(prefix + escape(k), was));
                ops.add(new Operation("remove", prefix + escape(k), null));
              }
            });
  }

  /** RFC 6901: label keys contain '/', which a JSON pointer must escape. */
  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  /**
   * The JSON merge patch adding {@link #addedLabels} and {@link #addedAnnotations}; empty when
   * there are none.
   */
  public Optional<Map<String, Object>> mergePatch() {
    if (addedLabels.isEmpty() && addedAnnotations.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    if (!addedLabels.isEmpty()) {
      metadata.put("labels", addedLabels);
    }
    if (!addedAnnotations.isEmpty()) {
      metadata.put("annotations", addedAnnotations);
    }
    return Optional.of(Map.of("metadata", metadata));
  }

  /** The JSON patch of tested replacements and removals; empty when there are none. */
  public Optional<List<Operation>> jsonPatch() {
    return operations.isEmpty() ? Optional.empty() : Optional.of(operations);
  }

  /** For log lines: the paths this patch writes. */
  public List<String> paths() {
    List<String> out = new ArrayList<>();
    addedLabels.keySet().forEach(k -> out.add("+label " + k));
    addedAnnotations.keySet().forEach(k -> out.add("+annotation " + k));
    operations.stream()
        .filter(o -> !Objects.equals(o.op(), "test"))
        .forEach(o -> out.add(o.op() + " " + o.path()));
    return out;
  }
}
