package dev.quotient.nodegroup;

import static dev.quotient.nodegroup.NodeGroupMembershipTest.group;
import static dev.quotient.nodegroup.NodeGroupMembershipTest.node;
import static dev.quotient.nodegroup.NodeGroupMembershipTest.ours;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quotient.api.DedicatedNodeGroup;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The two requests a node change becomes: what each writes, that together they turn the node as
 * seen into the node as desired, and that the JSON patch refuses a node someone else changed
 * meanwhile (as the API server does: a failed test rejects the whole patch).
 */
class NodePatchTest {
  private static final String KEY = "quotient.dev/dedicated-node-group";
  private static final String OLD_KEY = "cocalc-dedicated_vm";
  private static final String MANAGED = NodeGroupMembership.MANAGED_ANNOTATION;
  private static final String RECORDED_KEY = NodeGroupMembership.KEY_ANNOTATION;
  private static final Taint GPU =
      new TaintBuilder()
          .withKey("nvidia.com/gpu")
          .withValue("present")
          .withEffect("NoSchedule")
          .build();
  private static final DedicatedNodeGroup FOO = group("foo", null, List.of("vm001"), null);
  private static final DedicatedNodeGroup BAR = group("bar", null, List.of("vm001"), null);

  /** A node labelled for foo under {@code key}, with the GPU taint. */
  private static Node inFoo(String key) {
    return node(
        "vm001",
        Map.of("pool", "dgx", key, "foo"),
        Map.of(MANAGED, "foo", RECORDED_KEY, key),
        GPU,
        ours(key, "foo"));
  }

  static Stream<Arguments> changes() {
    Node bare = new NodeBuilder().withNewMetadata().withName("vm001").endMetadata().build();
    return Stream.of(
        // title, node as seen, group (null: leave), key,
        //   merge patch, JSON patch (tests and writes)
        Arguments.of(
            "joining a node without taints or annotations",
            node("vm001", Map.of("pool", "dgx"), null),
            FOO,
            KEY,
            "{metadata={labels={" + KEY + "=foo}, annotations={" + annotations(KEY) + "}}}",
            List.of("test /spec {}", "add /spec/taints [" + KEY + "=foo:NoSchedule]")),
        Arguments.of(
            "joining a bare node (no labels, annotations or spec)",
            bare,
            FOO,
            KEY,
            "{metadata={labels={" + KEY + "=foo}, annotations={" + annotations(KEY) + "}}}",
            List.of("test /spec {}", "add /spec/taints [" + KEY + "=foo:NoSchedule]")),
        Arguments.of(
            "joining a node with a taint tests and keeps it",
            node("vm001", Map.of(), Map.of("other", "x"), GPU),
            FOO,
            KEY,
            "{metadata={labels={" + KEY + "=foo}, annotations={" + annotations(KEY) + "}}}",
            List.of(
                "test /spec/taints [nvidia.com/gpu=present:NoSchedule]",
                "replace /spec/taints [nvidia.com/gpu=present:NoSchedule, "
                    + KEY
                    + "=foo:NoSchedule]")),
        Arguments.of(
            "a manual label under the key is taken over only if it is still there",
            node("vm001", Map.of(KEY, "manual"), null),
            FOO,
            KEY,
            "{metadata={annotations={" + annotations(KEY) + "}}}",
            List.of(
                "test /metadata/labels/quotient.dev~1dedicated-node-group manual",
                "replace /metadata/labels/quotient.dev~1dedicated-node-group foo",
                "test /spec {}",
                "add /spec/taints [" + KEY + "=foo:NoSchedule]")),
        Arguments.of(
            "leaving removes label, annotations and taint in one tested JSON patch",
            inFoo(KEY),
            null,
            KEY,
            "none",
            List.of(
                "test /metadata/labels/quotient.dev~1dedicated-node-group foo",
                "remove /metadata/labels/quotient.dev~1dedicated-node-group",
                "test /metadata/annotations/quotient.dev~1managed-node-group foo",
                "remove /metadata/annotations/quotient.dev~1managed-node-group",
                "test /metadata/annotations/quotient.dev~1managed-node-group-key " + KEY,
                "remove /metadata/annotations/quotient.dev~1managed-node-group-key",
                "test /spec/taints [nvidia.com/gpu=present:NoSchedule, " + KEY + "=foo:NoSchedule]",
                "replace /spec/taints [nvidia.com/gpu=present:NoSchedule]")),
        Arguments.of(
            "leaving with only our taint removes the list",
            node(
                "vm001",
                Map.of(KEY, "foo"),
                Map.of(MANAGED, "foo", RECORDED_KEY, KEY),
                ours(KEY, "foo")),
            null,
            KEY,
            "none",
            List.of(
                "test /metadata/labels/quotient.dev~1dedicated-node-group foo",
                "remove /metadata/labels/quotient.dev~1dedicated-node-group",
                "test /metadata/annotations/quotient.dev~1managed-node-group foo",
                "remove /metadata/annotations/quotient.dev~1managed-node-group",
                "test /metadata/annotations/quotient.dev~1managed-node-group-key " + KEY,
                "remove /metadata/annotations/quotient.dev~1managed-node-group-key",
                "test /spec/taints [" + KEY + "=foo:NoSchedule]",
                "remove /spec/taints")),
        Arguments.of(
            "moving to another group replaces what was tested",
            inFoo(KEY),
            BAR,
            KEY,
            "none",
            List.of(
                "test /metadata/labels/quotient.dev~1dedicated-node-group foo",
                "replace /metadata/labels/quotient.dev~1dedicated-node-group bar",
                "test /metadata/annotations/quotient.dev~1managed-node-group foo",
                "replace /metadata/annotations/quotient.dev~1managed-node-group bar",
                "test /spec/taints [nvidia.com/gpu=present:NoSchedule, " + KEY + "=foo:NoSchedule]",
                "replace /spec/taints [nvidia.com/gpu=present:NoSchedule, "
                    + KEY
                    + "=bar:NoSchedule]")),
        Arguments.of(
            "a new key: the new label is added, the old one and the recorded key change tested",
            inFoo(OLD_KEY),
            FOO,
            KEY,
            "{metadata={labels={" + KEY + "=foo}}}",
            List.of(
                "test /metadata/labels/" + OLD_KEY + " foo",
                "remove /metadata/labels/" + OLD_KEY,
                "test /metadata/annotations/quotient.dev~1managed-node-group-key " + OLD_KEY,
                "replace /metadata/annotations/quotient.dev~1managed-node-group-key " + KEY,
                "test /spec/taints [nvidia.com/gpu=present:NoSchedule, "
                    + OLD_KEY
                    + "=foo:NoSchedule]",
                "replace /spec/taints [nvidia.com/gpu=present:NoSchedule, "
                    + KEY
                    + "=foo:NoSchedule]")));
  }

  private static String annotations(String key) {
    return MANAGED + "=foo, " + RECORDED_KEY + "=" + key;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changes")
  void whatEachRequestWrites(
      String title,
      Node seen,
      DedicatedNodeGroup group,
      String key,
      String merge,
      List<String> operations) {
    NodePatch patch = NodeGroupMembership.patch(seen, group, key).orElseThrow();
    assertThat(patch.mergePatch().map(Object::toString).orElse("none")).isEqualTo(merge);
    assertThat(patch.operations().stream().map(NodePatchTest::describe))
        .containsExactlyElementsOf(operations);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changes")
  void bothRequestsTogetherTurnTheSeenNodeIntoTheDesiredOne(
      String title, Node seen, DedicatedNodeGroup group, String key) {
    Node desired = NodeGroupMembership.desired(seen, group, key).orElseThrow();
    NodePatch patch = NodePatch.between(seen, desired).orElseThrow();
    Node written = apply(seen, patch);
    assertThat(labels(written)).isEqualTo(labels(desired));
    assertThat(annotations(written)).isEqualTo(annotations(desired));
    assertThat(NodeGroupMembership.taints(written))
        .containsExactlyInAnyOrderElementsOf(NodeGroupMembership.taints(desired));
    assertThat(NodeGroupMembership.patch(written, group, key)).as("nothing left to do").isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changes")
  void aConcurrentStatusUpdateDoesNotStopThePatch(
      String title, Node seen, DedicatedNodeGroup group, String key) {
    NodePatch patch = NodeGroupMembership.patch(seen, group, key).orElseThrow();
    Node heartbeat =
        new NodeBuilder(seen)
            .editMetadata()
            .withResourceVersion("999")
            .endMetadata()
            .withNewStatus()
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .withLastHeartbeatTime("2026-03-01T10:00:00Z")
            .endCondition()
            .endStatus()
            .build();
    Node written = apply(heartbeat, patch);
    assertThat(written.getStatus()).isEqualTo(heartbeat.getStatus());
    assertThat(labels(written)).containsAllEntriesOf(patch.addedLabels());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changes")
  void aTaintSomeoneAddedMeanwhileFailsTheTestAndIsKept(
      String title, Node seen, DedicatedNodeGroup group, String key) {
    NodePatch patch = NodeGroupMembership.patch(seen, group, key).orElseThrow();
    Taint cordoned =
        new TaintBuilder()
            .withKey("node.kubernetes.io/unschedulable")
            .withEffect("NoSchedule")
            .withTimeAdded("2026-03-01T10:00:00Z")
            .build();
    Node meanwhile = new NodeBuilder(seen).editOrNewSpec().addToTaints(cordoned).endSpec().build();
    JsonNode json = jsonPatch(patch);
    assertThat(json).isNotNull();
    assertThatThrownBy(
            () -> JsonPatch.apply(json, Serialization.jsonMapper().valueToTree(meanwhile)))
        .isInstanceOf(JsonPatchException.class);
  }

  /** Applies the merge patch, then the JSON patch, as the API server would. */
  private static Node apply(Node node, NodePatch patch) {
    ObjectNode tree = Serialization.jsonMapper().valueToTree(node);
    ObjectNode metadata = (ObjectNode) tree.get("metadata");
    patch.addedLabels().forEach((k, v) -> map(metadata, "labels").put(k, v));
    patch.addedAnnotations().forEach((k, v) -> map(metadata, "annotations").put(k, v));
    JsonNode json = jsonPatch(patch);
    JsonNode out = json == null ? tree : JsonPatch.apply(json, withSpec(tree));
    return Serialization.jsonMapper().convertValue(out, Node.class);
  }

  private static ObjectNode map(ObjectNode metadata, String name) {
    return metadata.has(name) ? (ObjectNode) metadata.get(name) : metadata.putObject(name);
  }

  /** A real API server always serves a spec, at least {@code {}}. */
  private static JsonNode withSpec(ObjectNode tree) {
    if (!tree.has("spec")) {
      tree.putObject("spec");
    }
    return tree;
  }

  private static JsonNode jsonPatch(NodePatch patch) {
    return patch
        .jsonPatch()
        .map(ops -> Serialization.jsonMapper().<JsonNode>valueToTree(ops))
        .orElse(null);
  }

  private static String describe(NodePatch.Operation o) {
    return o.op() + " " + o.path() + (o.value() == null ? "" : " " + render(o.value()));
  }

  private static String render(Object value) {
    if (value instanceof List<?> taints) {
      return taints.stream()
          .map(t -> (Taint) t)
          .map(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
          .toList()
          .toString();
    }
    if (value instanceof io.fabric8.kubernetes.api.model.NodeSpec spec) {
      return Serialization.asJson(spec);
    }
    return value.toString();
  }

  private static Map<String, String> labels(Node n) {
    return NodeGroupMembership.labels(n);
  }

  private static Map<String, String> annotations(Node n) {
    return NodeGroupMembership.annotations(n);
  }
}
