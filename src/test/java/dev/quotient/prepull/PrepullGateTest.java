package dev.quotient.prepull;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.nodegroup.NodePatch;
import dev.quotient.prepull.PrepullGate.Verdict;
import dev.quotient.settings.SettingsParser;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The gate of one node, as a table: what the node has, and what it gets. */
class PrepullGateTest {
  static final String IMAGES = "quay.io/jupyter/base-notebook:latest";
  static final Taint GATE = taint(PrepullGate.TAINT_KEY, "pending", "NoSchedule");
  static final Taint GPU = taint("nvidia.com/gpu", "present", "NoSchedule");
  static final Taint OTHER = taint("team", "physics", "NoSchedule");
  static final Taint CONTROL_PLANE =
      taint("node-role.kubernetes.io/control-plane", null, "NoSchedule");
  static final Taint NOT_READY = taint("node.kubernetes.io/not-ready", null, "NoExecute");

  static Taint taint(String key, String value, String effect) {
    return new TaintBuilder().withKey(key).withValue(value).withEffect(effect).build();
  }

  static PrepullTarget target(String... kv) {
    Map<String, String> data = new HashMap<>(Map.of("prepull.enabled", "true"));
    for (int i = 0; i < kv.length; i += 2) {
      data.put(kv[i], kv[i + 1]);
    }
    return PrepullTarget.of(SettingsParser.parse(data), "quotient-system").orElseThrow();
  }

  static Node node(Map<String, String> labels, String prepulled, Taint... taints) {
    Map<String, String> annotations = new HashMap<>(Map.of("kept", "yes"));
    if (prepulled != null) {
      annotations.put(PrepullGate.PREPULLED_ANNOTATION, prepulled);
    }
    return new NodeBuilder()
        .withNewMetadata()
        .withName("n1")
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .withTaints(new ArrayList<>(List.of(taints)))
        .endSpec()
        .build();
  }

  record Row(
      String name,
      PrepullTarget target,
      Node node,
      boolean podReady,
      Verdict verdict,
      boolean gatedAfter,
      String recordAfter,
      List<Taint> othersAfter) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final Map<String, String> PROJECT = Map.of("quotient.dev/project-node", "true");
  static final Map<String, String> SELECTOR_SETTING =
      Map.of("pod.projectNodeSelector", "quotient.dev/project-node=true");

  static Stream<Row> rows() {
    PrepullTarget all = target();
    PrepullTarget selected = target("pod.projectNodeSelector", "quotient.dev/project-node=true");
    return Stream.of(
        new Row(
            "a node joins: gated",
            all,
            node(Map.of(), null),
            false,
            Verdict.PENDING,
            true,
            null,
            List.of()),
        new Row(
            "its pod is Ready: the gate opens and the images are recorded",
            all,
            node(Map.of(), null, GATE),
            true,
            Verdict.PULLED,
            false,
            IMAGES,
            List.of()),
        new Row(
            "prepulled: nothing to do",
            all,
            node(Map.of(), IMAGES),
            false,
            Verdict.PREPULLED,
            false,
            IMAGES,
            List.of()),
        new Row(
            "new default image: gated again, the old record stays until the pull",
            all,
            node(Map.of(), "quay.io/jupyter/base-notebook:2025"),
            false,
            Verdict.PENDING,
            true,
            "quay.io/jupyter/base-notebook:2025",
            List.of()),
        new Row(
            "a taint under our key with another value is replaced by ours",
            all,
            node(Map.of(), null, taint(PrepullGate.TAINT_KEY, "x", "NoExecute")),
            false,
            Verdict.PENDING,
            true,
            null,
            List.of()),
        new Row(
            "the gate left behind on a prepulled node (a pass cut short) goes",
            all,
            node(Map.of(), IMAGES, GATE),
            false,
            Verdict.PREPULLED,
            false,
            IMAGES,
            List.of()),
        new Row(
            "other taints stay while gated",
            all,
            node(Map.of(), null, GPU),
            false,
            Verdict.PENDING,
            true,
            null,
            List.of(GPU)),
        new Row(
            "other taints stay when the gate opens",
            all,
            node(Map.of(), null, GATE, GPU),
            true,
            Verdict.PULLED,
            false,
            IMAGES,
            List.of(GPU)),
        new Row(
            "a taint the prepull pods do not tolerate: not a project node",
            all,
            node(Map.of(), null, OTHER),
            false,
            Verdict.NOT_A_PROJECT_NODE,
            false,
            null,
            List.of(OTHER)),
        new Row(
            "the control plane is never gated",
            all,
            node(Map.of(), null, CONTROL_PLANE),
            false,
            Verdict.NOT_A_PROJECT_NODE,
            false,
            null,
            List.of(CONTROL_PLANE)),
        new Row(
            "a not-ready node is still gated (the DaemonSet tolerates it)",
            all,
            node(Map.of(), null, NOT_READY),
            false,
            Verdict.PENDING,
            true,
            null,
            List.of(NOT_READY)),
        new Row(
            "outside the project-node selector: never gated",
            selected,
            node(Map.of("pool", "services"), null),
            false,
            Verdict.NOT_A_PROJECT_NODE,
            false,
            null,
            List.of()),
        new Row(
            "a node that left the selector loses the gate",
            selected,
            node(Map.of("pool", "services"), null, GATE),
            false,
            Verdict.NOT_A_PROJECT_NODE,
            false,
            null,
            List.of()),
        new Row(
            "in the selector: gated",
            selected,
            node(PROJECT, null),
            false,
            Verdict.PENDING,
            true,
            null,
            List.of()),
        new Row(
            "a node-group member outside the selector: gated",
            selected,
            node(
                Map.of("quotient.dev/dedicated-node-group", "physics"),
                null,
                taint("quotient.dev/dedicated-node-group", "physics", "NoSchedule")),
            false,
            Verdict.PENDING,
            true,
            null,
            List.of(taint("quotient.dev/dedicated-node-group", "physics", "NoSchedule"))),
        new Row(
            "a node with the project tolerations' taint: gated",
            target("pod.projectTolerations", "pool=projects:NoSchedule"),
            node(Map.of(), null, taint("pool", "projects", "NoSchedule")),
            false,
            Verdict.PENDING,
            true,
            null,
            List.of(taint("pool", "projects", "NoSchedule"))),
        new Row(
            "prepull off: the gate and the record go, other taints stay",
            null,
            node(Map.of(), IMAGES, GATE, GPU),
            false,
            Verdict.OFF,
            false,
            null,
            List.of(GPU)),
        new Row(
            "prepull off, never gated: nothing to do",
            null,
            node(Map.of(), null, GPU),
            false,
            Verdict.OFF,
            false,
            null,
            List.of(GPU)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void gate(Row row) {
    PrepullGate.Decision d = PrepullGate.decide(row.node(), row.target(), row.podReady());
    assertThat(d.verdict()).isEqualTo(row.verdict());
    Node after = d.desired().orElse(row.node());
    assertThat(PrepullGate.gated(after)).as("gated after").isEqualTo(row.gatedAfter());
    if (row.gatedAfter()) {
      assertThat(after.getSpec().getTaints())
          .filteredOn(t -> t.getKey().equals(PrepullGate.TAINT_KEY))
          .singleElement()
          .isEqualTo(GATE);
    }
    assertThat(after.getSpec().getTaints())
        .filteredOn(t -> !t.getKey().equals(PrepullGate.TAINT_KEY))
        .containsExactlyElementsOf(row.othersAfter());
    assertThat(after.getMetadata().getAnnotations())
        .as("other annotations stay")
        .containsEntry("kept", "yes");
    assertThat(after.getMetadata().getAnnotations().get(PrepullGate.PREPULLED_ANNOTATION))
        .isEqualTo(row.recordAfter());
    // Desired only when something changes; deciding again on the result changes nothing more.
    d.desired().ifPresent(n -> assertThat(NodePatch.between(row.node(), n)).isPresent());
    PrepullGate.Decision again = PrepullGate.decide(after, row.target(), row.podReady());
    assertThat(again.desired()).as("a second pass on the result").isEmpty();
  }

  @Test
  void theGateIsOneTestedJsonPatchThatTouchesNoOtherTaint() {
    Node seen = node(Map.of(), null, GPU);
    Node desired = PrepullGate.decide(seen, target(), false).desired().orElseThrow();
    NodePatch patch = NodePatch.between(seen, desired).orElseThrow();
    assertThat(patch.mergePatch()).isEmpty();
    assertThat(patch.operations())
        .extracting(NodePatch.Operation::op, NodePatch.Operation::path)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("test", "/spec/taints"),
            org.assertj.core.groups.Tuple.tuple("replace", "/spec/taints"));
    assertThat(patch.operations().get(0).value()).isEqualTo(List.of(GPU));
    assertThat(patch.operations().get(1).value()).isEqualTo(List.of(GPU, GATE));
  }

  static Pod prepullPod(String node, String hash, boolean ready, boolean deleting) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("quotient-prepull-x")
        .withLabels(Map.of(PrepullDaemonSet.IMAGES_HASH_LABEL, hash))
        .withDeletionTimestamp(deleting ? "2026-12-01T00:00:00Z" : null)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .endSpec()
        .withNewStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready ? "True" : "False")
        .endCondition()
        .endStatus()
        .build();
  }

  static Stream<Arguments> pods() {
    String hash = target().imagesHash();
    return Stream.of(
        Arguments.of(
            "Ready on the node, current images",
            List.of(prepullPod("n1", hash, true, false)),
            true),
        Arguments.of("not Ready yet", List.of(prepullPod("n1", hash, false, false)), false),
        Arguments.of(
            "of the old images (before the roll)",
            List.of(prepullPod("n1", "0ld", true, false)),
            false),
        Arguments.of("on another node", List.of(prepullPod("n2", hash, true, false)), false),
        Arguments.of("terminating", List.of(prepullPod("n1", hash, true, true)), false),
        Arguments.of(
            "old one going, new one Ready",
            List.of(prepullPod("n1", "0ld", true, true), prepullPod("n1", hash, true, false)),
            true),
        Arguments.of("none", List.of(), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pods")
  void readyPod(String name, List<Pod> pods, boolean ready) {
    assertThat(PrepullGate.readyOn("n1", pods, target().imagesHash())).isEqualTo(ready);
  }
}
