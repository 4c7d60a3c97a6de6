package dev.quotient.prepull;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.pod.RestrictedProfile;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DaemonSet as the API server receives it. */
class PrepullDaemonSetTest {
  static PrepullTarget target(String... kv) {
    return PrepullGateTest.target(kv);
  }

  static Toleration exists(String key) {
    return new TolerationBuilder()
        .withKey(key)
        .withOperator("Exists")
        .withEffect("NoSchedule")
        .build();
  }

  @Test
  void initContainersPullEachImageAndAPauseContainerKeepsThePodReady() {
    DaemonSet ds =
        PrepullDaemonSet.desired(
            target(
                "pod.allowedImages", "quay.io/jupyter/scipy-notebook:2025",
                "prepull.images", "quay.io/jupyter/scipy-notebook:2025",
                "pod.imagePullPolicy", "Always"));
    assertThat(ds.getMetadata().getName()).isEqualTo("quotient-prepull");
    assertThat(ds.getMetadata().getNamespace()).isEqualTo("quotient-system");
    PodSpec spec = ds.getSpec().getTemplate().getSpec();
    assertThat(spec.getInitContainers())
        .extracting(
            Container::getName,
            Container::getImage,
            Container::getCommand,
            Container::getImagePullPolicy)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "pull-0",
                "quay.io/jupyter/base-notebook:latest",
                List.of("sh", "-c", "true"),
                "Always"),
            org.assertj.core.groups.Tuple.tuple(
                "pull-1",
                "quay.io/jupyter/scipy-notebook:2025",
                List.of("sh", "-c", "true"),
                "Always"));
    assertThat(spec.getContainers())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getImage()).isEqualTo("registry.k8s.io/pause:3.10");
              assertThat(c.getCommand()).isNullOrEmpty();
              assertThat(c.getResources().getRequests().get("cpu").toString()).isEqualTo("10m");
            });
    assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getStrVal())
        .isEqualTo("100%");
    assertThat(ds.getMetadata().getAnnotations())
        .containsEntry(
            PrepullDaemonSet.IMAGES_ANNOTATION,
            "quay.io/jupyter/base-notebook:latest,quay.io/jupyter/scipy-notebook:2025");
  }

  @Test
  void podsMeetTheRestrictedProfileAndCarryNoLedgerKeys() {
    DaemonSet ds = PrepullDaemonSet.desired(target());
    Pod pod =
        new PodBuilder()
            .withMetadata(ds.getSpec().getTemplate().getMetadata())
            .withSpec(ds.getSpec().getTemplate().getSpec())
            .build();
    assertThat(RestrictedProfile.violations(pod)).isEmpty();
    assertThat(pod.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(2001L);
    assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
    // The DaemonSet controller creates these pods; the ledger policy refuses quotient.dev/ keys
    // from anyone but the operator.
    assertThat(pod.getMetadata().getLabels().keySet())
        .noneMatch(k -> k.startsWith("quotient.dev/"));
    assertThat(pod.getMetadata().getAnnotations().keySet())
        .noneMatch(k -> k.startsWith("quotient.dev/"));
    assertThat(ds.getSpec().getSelector().getMatchLabels())
        .containsExactlyEntriesOf(PrepullDaemonSet.selector());
    assertThat(pod.getMetadata().getLabels()).containsAllEntriesOf(PrepullDaemonSet.selector());
  }

  @Test
  void toleratesTheGateTheNodeGroupsTheGpusAndTheProjectTolerations() {
    PodSpec spec =
        PrepullDaemonSet.desired(
                target(
                    "pod.projectTolerations",
                    "pool=projects:NoSchedule",
                    "gpuResource",
                    "amd.com/gpu"))
            .getSpec()
            .getTemplate()
            .getSpec();
    assertThat(spec.getTolerations())
        .containsExactly(
            exists("quotient.dev/prepull"),
            exists("quotient.dev/dedicated-node-group"),
            exists("amd.com/gpu"),
            new TolerationBuilder()
                .withKey("pool")
                .withOperator("Equal")
                .withValue("projects")
                .withEffect("NoSchedule")
                .build());
  }

  @Test
  void everyNodeWithoutASelectorElseTheSelectorOrANodeGroupMember() {
    assertThat(PrepullDaemonSet.desired(target()).getSpec().getTemplate().getSpec().getAffinity())
        .isNull();
    List<NodeSelectorTerm> terms =
        PrepullDaemonSet.desired(
                target("pod.projectNodeSelector", "quotient.dev/project-node=true"))
            .getSpec()
            .getTemplate()
            .getSpec()
            .getAffinity()
            .getNodeAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution()
            .getNodeSelectorTerms();
    assertThat(terms).hasSize(2);
    assertThat(terms.get(0).getMatchExpressions())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getKey()).isEqualTo("quotient.dev/project-node");
              assertThat(e.getOperator()).isEqualTo("In");
              assertThat(e.getValues()).containsExactly("true");
            });
    assertThat(terms.get(1).getMatchExpressions())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getKey()).isEqualTo("quotient.dev/dedicated-node-group");
              assertThat(e.getOperator()).isEqualTo("Exists");
            });
  }

  @Test
  void anImageChangeRollsThePodsAndTheSpecHashSaysWhenToWrite() {
    DaemonSet before = PrepullDaemonSet.desired(target());
    DaemonSet same = PrepullDaemonSet.desired(target());
    DaemonSet after =
        PrepullDaemonSet.desired(target("pod.defaultImage", "quay.io/jupyter/base-notebook:2026"));
    assertThat(PrepullDaemonSet.specHash(before))
        .isEqualTo(PrepullDaemonSet.specHash(same))
        .isNotNull();
    assertThat(PrepullDaemonSet.specHash(after)).isNotEqualTo(PrepullDaemonSet.specHash(before));
    String hashLabel = PrepullDaemonSet.IMAGES_HASH_LABEL;
    assertThat(after.getSpec().getTemplate().getMetadata().getLabels().get(hashLabel))
        .isNotEqualTo(before.getSpec().getTemplate().getMetadata().getLabels().get(hashLabel))
        .matches("[0-9a-f]{16}");
    // A change that pulls nothing new (the selector) keeps the pods' hash: prepulled nodes stay so.
    DaemonSet moved = PrepullDaemonSet.desired(target("pod.projectNodeSelector", "pool=projects"));
    assertThat(moved.getSpec().getTemplate().getMetadata().getLabels().get(hashLabel))
        .isEqualTo(before.getSpec().getTemplate().getMetadata().getLabels().get(hashLabel));
    assertThat(PrepullDaemonSet.specHash(moved)).isNotEqualTo(PrepullDaemonSet.specHash(before));
  }
}
