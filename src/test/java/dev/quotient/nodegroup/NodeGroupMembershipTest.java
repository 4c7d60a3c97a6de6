package dev.quotient.nodegroup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.DedicatedNodeGroup;
import dev.quotient.api.DedicatedNodeGroupSpec;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeGroupMembershipTest {
  private static final String KEY = "quotient.dev/dedicated-node-group";
  private static final Taint UNSCHEDULABLE =
      new TaintBuilder()
          .withKey("node.kubernetes.io/unschedulable")
          .withEffect("NoSchedule")
          .build();
  private static final Taint GPU_TAINT =
      new TaintBuilder()
          .withKey("nvidia.com/gpu")
          .withValue("present")
          .withEffect("NoSchedule")
          .build();

  static DedicatedNodeGroup group(
      String name, Map<String, String> selector, List<String> names, Boolean taint) {
    DedicatedNodeGroup g = new DedicatedNodeGroup();
    g.setMetadata(new ObjectMetaBuilder().withName(name).build());
    DedicatedNodeGroupSpec spec = new DedicatedNodeGroupSpec();
    spec.setNodeSelector(selector);
    spec.setNodeNames(names);
    spec.setTaint(taint);
    g.setSpec(spec);
    return g;
  }

  static Node node(
      String name, Map<String, String> labels, Map<String, String> annotations, Taint... taints) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withTaints(new ArrayList<>(Arrays.asList(taints)))
        .endSpec()
        .build();
  }

  static Taint ours(String key, String group) {
    return new TaintBuilder().withKey(key).withValue(group).withEffect("NoSchedule").build();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        // title                         | selector            | names          | node labels
        //             | claims
        "named                           | null                | vm001,vm002    | pool=general                   | true",
        "not named                       | null                | vm002          | pool=general                   | false",
        "selector matches                | pool=dgx            | null           | pool=dgx,zone=a                | true",
        "selector needs all labels       | pool=dgx,zone=b     | null           | pool=dgx,zone=a                | false",
        "selector does not match         | pool=dgx            | null           | pool=general                   | false",
        "either named or selected        | pool=dgx            | vm001          | pool=general                   | true",
        "empty selector claims nothing   | ''                  | null           | pool=general                   | false",
        "no labels on node               | pool=dgx            | null           | ''                             | false",
      })
  void membership(String title, String selector, String names, String labels, boolean claims) {
    DedicatedNodeGroup g =
        group("dgx", map(selector), names == null ? null : List.of(names.split(",")), null);
    Node n = node("vm001", map(labels), null);
    assertThat(NodeGroupMembership.claims(g, n)).isEqualTo(claims);
  }

  static Map<String, String> map(String text) {
    if (text == null) {
      return null;
    }
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (String kv : text.split(",")) {
      if (!kv.isBlank()) {
        String[] p = kv.split("=");
        m.put(p[0], p[1]);
      }
    }
    return m;
  }

  @Test
  void groupsWithoutSpecOrBeingDeletedClaimNothing() {
    DedicatedNodeGroup noSpec = group("a", null, List.of("vm001"), null);
    noSpec.setSpec(null);
    DedicatedNodeGroup deleting = group("b", null, List.of("vm001"), null);
    deleting.getMetadata().setDeletionTimestamp("2026-03-01T10:00:00Z");
    Node n = node("vm001", Map.of(), null);
    assertThat(NodeGroupMembership.claims(noSpec, n)).isFalse();
    assertThat(NodeGroupMembership.claims(deleting, n)).isFalse();
    assertThat(NodeGroupMembership.owner(n, List.of(noSpec, deleting))).isEmpty();
  }

  @Test
  void firstNameWinsOnConflicts() {
    Node n = node("vm001", Map.of("pool", "dgx"), null);
    DedicatedNodeGroup beta = group("beta", Map.of("pool", "dgx"), null, null);
    DedicatedNodeGroup alpha = group("alpha", null, List.of("vm001"), null);
    DedicatedNodeGroup other = group("aaa-other", Map.of("pool", "hpc"), null, null);
    assertThat(NodeGroupMembership.owner(n, List.of(beta, alpha, other)))
        .map(g -> g.getMetadata().getName())
        .contains("alpha");
    assertThat(NodeGroupMembership.owner(n, List.of(alpha, beta)))
        .map(g -> g.getMetadata().getName())
        .contains("alpha");
    assertThat(NodeGroupMembership.owner(n, List.of(other))).isEmpty();
    assertThat(NodeGroupMembership.owner(n, List.of())).isEmpty();
  }

  @ParameterizedTest(name = "key {0}")
  @CsvSource({"quotient.dev/dedicated-node-group", "cocalc-dedicated_vm"})
  void joiningAddsLabelAndTaintAndLeavesOtherTaints(String key) {
    Node n = node("vm001", Map.of("pool", "dgx"), Map.of("other", "x"), UNSCHEDULABLE, GPU_TAINT);
    Node d =
        NodeGroupMembership.desired(n, group("foo", Map.of("pool", "dgx"), null, null), key)
            .orElseThrow();
    assertThat(d.getMetadata().getLabels())
        .containsOnly(Map.entry("pool", "dgx"), Map.entry(key, "foo"));
    assertThat(d.getMetadata().getAnnotations())
        .containsOnly(
            Map.entry("other", "x"),
            Map.entry(NodeGroupMembership.MANAGED_ANNOTATION, "foo"),
            Map.entry(NodeGroupMembership.KEY_ANNOTATION, key));
    assertThat(d.getSpec().getTaints())
        .containsExactlyInAnyOrder(UNSCHEDULABLE, GPU_TAINT, ours(key, "foo"));
    assertThat(d.getMetadata().getName()).isEqualTo("vm001");
    assertThat(n.getMetadata().getLabels()).as("input untouched").doesNotContainKey(key);
    assertThat(n.getSpec().getTaints()).hasSize(2);
  }

  @Test
  void nodeAlreadyInShapeNeedsNoChange() {
    DedicatedNodeGroup foo = group("foo", null, List.of("vm001"), null);
    Node n = node("vm001", Map.of(), null, GPU_TAINT);
    Node d = NodeGroupMembership.desired(n, foo, KEY).orElseThrow();
    assertThat(NodeGroupMembership.desired(d, foo, KEY)).isEmpty();
  }

  @Test
  void untaintedGroupOnlyLabels() {
    Node n = node("vm001", Map.of(), null, GPU_TAINT);
    Node d =
        NodeGroupMembership.desired(n, group("foo", null, List.of("vm001"), false), KEY)
            .orElseThrow();
    assertThat(d.getMetadata().getLabels()).containsEntry(KEY, "foo");
    assertThat(d.getSpec().getTaints()).containsExactly(GPU_TAINT);
  }

  @Test
  void switchingTaintOffRemovesOurTaint() {
    DedicatedNodeGroup tainted = group("foo", null, List.of("vm001"), true);
    Node d =
        NodeGroupMembership.desired(node("vm001", Map.of(), null, GPU_TAINT), tainted, KEY)
            .orElseThrow();
    Node off =
        NodeGroupMembership.desired(d, group("foo", null, List.of("vm001"), false), KEY)
            .orElseThrow();
    assertThat(off.getSpec().getTaints()).containsExactly(GPU_TAINT);
    assertThat(off.getMetadata().getLabels()).containsEntry(KEY, "foo");
  }

  @Test
  void leavingRemovesOnlyWhatWeSet() {
    DedicatedNodeGroup foo = group("foo", null, List.of("vm001"), null);
    Node member =
        NodeGroupMembership.desired(
                node(
                    "vm001", Map.of("pool", "dgx"), Map.of("other", "x"), UNSCHEDULABLE, GPU_TAINT),
                foo,
                KEY)
            .orElseThrow();
    Node left = NodeGroupMembership.desired(member, null, KEY).orElseThrow();
    assertThat(left.getMetadata().getLabels()).containsOnly(Map.entry("pool", "dgx"));
    assertThat(left.getMetadata().getAnnotations()).containsOnly(Map.entry("other", "x"));
    assertThat(left.getSpec().getTaints()).containsExactlyInAnyOrder(UNSCHEDULABLE, GPU_TAINT);
    assertThat(NodeGroupMembership.desired(left, null, KEY)).as("nothing left to clean").isEmpty();
  }

  @Test
  void leavingKeepsALabelSomeoneElseChanged() {
    Node n =
        node(
            "vm001",
            Map.of(KEY, "manual"),
            Map.of(NodeGroupMembership.MANAGED_ANNOTATION, "foo"),
            ours(KEY, "foo"),
            ours(KEY, "manual"));
    Node left = NodeGroupMembership.desired(n, null, KEY).orElseThrow();
    assertThat(left.getMetadata().getLabels()).containsEntry(KEY, "manual");
    assertThat(left.getSpec().getTaints()).containsExactly(ours(KEY, "manual"));
    assertThat(left.getMetadata().getAnnotations())
        .doesNotContainKey(NodeGroupMembership.MANAGED_ANNOTATION);
  }

  @Test
  void unmanagedNodeOutsideAnyGroupIsLeftAlone() {
    Node n = node("vm009", Map.of(KEY, "manual"), null, ours(KEY, "manual"));
    assertThat(NodeGroupMembership.desired(n, null, KEY)).isEmpty();
  }

  @Test
  void movingBetweenGroupsSwapsLabelAndTaint() {
    Node inFoo =
        NodeGroupMembership.desired(
                node("vm001", Map.of(), null, GPU_TAINT),
                group("foo", null, List.of("vm001"), null),
                KEY)
            .orElseThrow();
    Node inBar =
        NodeGroupMembership.desired(inFoo, group("bar", null, List.of("vm001"), null), KEY)
            .orElseThrow();
    assertThat(inBar.getMetadata().getLabels()).containsEntry(KEY, "bar");
    assertThat(inBar.getMetadata().getAnnotations())
        .containsEntry(NodeGroupMembership.MANAGED_ANNOTATION, "bar");
    assertThat(inBar.getSpec().getTaints()).containsExactlyInAnyOrder(GPU_TAINT, ours(KEY, "bar"));
  }

  @Test
  void nodeWithoutSpecOrMetadataMapsJoins() {
    Node bare = new NodeBuilder().withNewMetadata().withName("vm001").endMetadata().build();
    Optional<Node> d =
        NodeGroupMembership.desired(bare, group("foo", null, List.of("vm001"), null), KEY);
    assertThat(d)
        .get()
        .satisfies(
            n -> {
              assertThat(n.getMetadata().getLabels()).containsEntry(KEY, "foo");
              assertThat(n.getSpec().getTaints()).containsExactly(ours(KEY, "foo"));
            });
  }

  @Test
  void aManualNoExecuteTaintUnderTheKeyStaysOnAMember() {
    Taint manual =
        new TaintBuilder().withKey(KEY).withValue("manual").withEffect("NoExecute").build();
    Node d =
        NodeGroupMembership.desired(
                node("vm001", Map.of(), null, manual),
                group("foo", null, List.of("vm001"), null),
                KEY)
            .orElseThrow();
    assertThat(d.getSpec().getTaints()).containsExactlyInAnyOrder(manual, ours(KEY, "foo"));
  }

  @Test
  void aNewKeyMovesLabelAndTaintFromTheRecordedKey() {
    String old = "cocalc-dedicated_vm";
    DedicatedNodeGroup foo = group("foo", null, List.of("vm001"), null);
    Node underOld =
        NodeGroupMembership.desired(node("vm001", Map.of("pool", "dgx"), null, GPU_TAINT), foo, old)
            .orElseThrow();
    Node underNew = NodeGroupMembership.desired(underOld, foo, KEY).orElseThrow();
    assertThat(underNew.getMetadata().getLabels())
        .containsOnly(Map.entry("pool", "dgx"), Map.entry(KEY, "foo"));
    assertThat(underNew.getSpec().getTaints())
        .containsExactlyInAnyOrder(GPU_TAINT, ours(KEY, "foo"));
    assertThat(underNew.getMetadata().getAnnotations())
        .containsEntry(NodeGroupMembership.KEY_ANNOTATION, KEY);
    assertThat(NodeGroupMembership.desired(underNew, foo, KEY)).isEmpty();
  }

  @Test
  void leavingAfterAKeyChangeClearsTheRecordedKey() {
    String old = "cocalc-dedicated_vm";
    Node underOld =
        NodeGroupMembership.desired(
                node("vm001", Map.of(), null, GPU_TAINT),
                group("foo", null, List.of("vm001"), null),
                old)
            .orElseThrow();
    Node left = NodeGroupMembership.desired(underOld, null, KEY).orElseThrow();
    assertThat(left.getMetadata().getLabels()).isEmpty();
    assertThat(left.getMetadata().getAnnotations()).isEmpty();
    assertThat(left.getSpec().getTaints()).containsExactly(GPU_TAINT);
  }

  @Test
  void aNodeLabelledBeforeTheKeyWasRecordedCountsAsLabelledUnderTheCurrentKey() {
    Node legacy =
        node(
            "vm001",
            Map.of(KEY, "foo"),
            Map.of(NodeGroupMembership.MANAGED_ANNOTATION, "foo"),
            ours(KEY, "foo"));
    Node left = NodeGroupMembership.desired(legacy, null, KEY).orElseThrow();
    assertThat(left.getMetadata().getLabels()).isEmpty();
    assertThat(left.getSpec().getTaints()).isEmpty();
    Node kept =
        NodeGroupMembership.desired(legacy, group("foo", null, List.of("vm001"), null), KEY)
            .orElseThrow();
    assertThat(kept.getMetadata().getAnnotations())
        .containsEntry(NodeGroupMembership.KEY_ANNOTATION, KEY);
    assertThat(kept.getSpec().getTaints()).containsExactly(ours(KEY, "foo"));
  }
}
