package dev.quotient.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.admission.PodLeases;
import dev.quotient.api.Project;
import dev.quotient.pod.ProjectPodFactory;
import dev.quotient.quota.QuotaCalculator;
import dev.quotient.quota.QuotaInput;
import dev.quotient.settings.Settings;
import dev.quotient.settings.SettingsParser;
import dev.quotient.status.PodObservation;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The pruned pod cache reads, for everything the operator decides on, as the full pod does. */
class PrunedStoreTest {
  static final Settings SETTINGS = SettingsParser.parse(Map.of());

  static Project project() {
    Project p = new Project();
    p.setMetadata(
        new ObjectMetaBuilder().withName("thesis").withNamespace("course").withUid("u-1").build());
    return p;
  }

  /** The pod the operator creates for {@link #project()}, as the API server returns it. */
  static Pod pod(String node, PodStatus status, String deletion) {
    Project project = project();
    var quota =
        new QuotaCalculator(SETTINGS.quotaPolicy())
            .calculate(
                new QuotaInput(
                    "course", Map.of(), List.of(), Map.of(), null, Instant.now(), l -> true))
            .quota();
    Pod created = new ProjectPodFactory(SETTINGS.pod()).desiredPod(project, quota).pod();
    return new PodBuilder(created)
        .editMetadata()
        .withUid("pod-uid")
        .withResourceVersion("42")
        .withCreationTimestamp("2026-03-01T10:00:00Z")
        .withDeletionTimestamp(deletion)
        .addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", "{...}")
        .addToManagedFields(
            new ManagedFieldsEntryBuilder()
                .withManager("kube-scheduler")
                .withOperation("Update")
                .build())
        .endMetadata()
        .editSpec()
        .withNodeName(node)
        .endSpec()
        .withStatus(status)
        .build();
  }

  static Stream<Arguments> pods() {
    var ready =
        new PodConditionBuilder()
            .withType("Ready")
            .withStatus("True")
            .withLastTransitionTime("2026-03-01T10:00:02Z")
            .build();
    return Stream.of(
        Arguments.of("just created", pod(null, null, null)),
        Arguments.of(
            "unschedulable",
            pod(
                null,
                new PodStatusBuilder()
                    .withPhase("Pending")
                    .addToConditions(
                        new PodConditionBuilder()
                            .withType("PodScheduled")
                            .withStatus("False")
                            .withReason("Unschedulable")
                            .withMessage("0/4 nodes are available: 4 Insufficient memory.")
                            .build())
                    .build(),
                null)),
        Arguments.of(
            "image pull failing",
            pod(
                "pool-1",
                new PodStatusBuilder()
                    .withPhase("Pending")
                    .withStartTime("2026-03-01T10:00:01Z")
                    .addToContainerStatuses(
                        new ContainerStatusBuilder()
                            .withName("project")
                            .withImage("registry.example/notebook:1")
                            .withNewState()
                            .withNewWaiting()
                            .withReason("ImagePullBackOff")
                            .withMessage("Back-off pulling image")
                            .endWaiting()
                            .endState()
                            .build())
                    .build(),
                null)),
        Arguments.of(
            "running",
            pod(
                "pool-1",
                new PodStatusBuilder()
                    .withPhase("Running")
                    .withStartTime("2026-03-01T10:00:01Z")
                    .withPodIP("10.244.0.7")
                    .addToConditions(ready)
                    .build(),
                null)),
        Arguments.of(
            "terminating",
            pod(
                "pool-1",
                new PodStatusBuilder().withPhase("Running").addToConditions(ready).build(),
                "2026-03-01T11:00:30Z")),
        Arguments.of(
            "node lost",
            pod(
                "pool-1",
                new PodStatusBuilder()
                    .withPhase("Failed")
                    .withReason("NodeLost")
                    .withMessage("node pool-1 went away")
                    .build(),
                null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pods")
  void thePrunedPodReadsAsTheFullOne(String situation, Pod full) {
    Pod pruned = PrunedStore.prunePod(Serialization.clone(full));
    assertThat(PodObservation.of(pruned)).isEqualTo(PodObservation.of(full));
    assertThat(PodLeases.lease(pruned)).isEqualTo(PodLeases.lease(full));
    assertThat(ProjectObserver.podState(pruned, project(), new StartRecords()))
        .isEqualTo(ProjectObserver.podState(full, project(), new StartRecords()));
    assertThat(pruned.getMetadata().getManagedFields()).isEmpty();
    assertThat(pruned.getMetadata().getAnnotations())
        .doesNotContainKey("kubectl.kubernetes.io/last-applied-configuration");
    assertThat(Serialization.asJson(pruned).length())
        .as("pruned size")
        .isLessThan(Serialization.asJson(full).length() / 2);
  }

  /** A Project as the API server returns it after a few status writes. */
  static Project fullProject(String name) {
    String json =
        """
        {"apiVersion":"quotient.dev/v1alpha1","kind":"Project",
         "metadata":{"name":"%s","namespace":"course","uid":"u-%s","resourceVersion":"7",
          "generation":2,"creationTimestamp":"2026-03-01T10:00:00Z",
          "labels":{"team":"physics"},
          "annotations":{"quotient.dev/last-activity":"2026-03-01T10:05:00Z"},
          "managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"v1"}]},
         "spec":{"desiredState":"Running","licenses":["course","gpu"],"image":"jupyter:1"},
         "status":{"phase":"Running","message":"Running on pool-1","podName":"project-%s",
          "nodeName":"pool-1","startedAt":"2026-03-01T10:00:03Z",
          "lastActivity":"2026-03-01T10:05:00Z","observedGeneration":2,
          "conditions":[
           {"type":"Ready","status":"True","reason":"PodRunning","message":"Running on pool-1",
            "lastTransitionTime":"2026-03-01T10:00:03Z","observedGeneration":2},
           {"type":"QuotaAdmitted","status":"True","reason":"QuotaAdmitted",
            "message":"Admitted: the project holds its quota",
            "lastTransitionTime":"2026-03-01T10:00:01Z","observedGeneration":2}],
          "effectiveQuota":{"cpuLimit":"2","cpuRequest":"200m","memoryLimit":"4Gi",
           "memoryRequest":"820Mi","gpu":0,"idleTimeout":"90m","maxDuration":"8h"},
          "licenses":[{"name":"course","state":"Applied","message":"License 'course' applied"},
           {"name":"gpu","state":"NotFound","reason":"LicenseNotFound",
            "message":"License 'gpu' does not exist"}]}}
        """
            .formatted(name, name, name);
    return Serialization.unmarshal(json, Project.class);
  }

  @org.junit.jupiter.api.Test
  void thePrunedProjectIsTheSameProjectWithoutManagedFieldsAndSharesItsRepeatedValues() {
    Project full = fullProject("thesis");
    Project a = PrunedStore.pruneProject(fullProject("thesis"));
    Project b = PrunedStore.pruneProject(fullProject("essay"));

    full.getMetadata().setManagedFields(null);
    assertThat(a).isEqualTo(full);
    assertThat(Serialization.asJson(a)).isEqualTo(Serialization.asJson(full));
    assertThat(a.getMetadata().getManagedFields()).isNull();

    var ca = a.getStatus().getConditions().get(0);
    var cb = b.getStatus().getConditions().get(0);
    assertThat(ca.getReason()).isSameAs(cb.getReason());
    assertThat(ca.getMessage()).isSameAs(cb.getMessage());
    assertThat(ca.getLastTransitionTime()).isSameAs(cb.getLastTransitionTime());
    assertThat(a.getStatus().getEffectiveQuota().getMemoryLimit())
        .isSameAs(b.getStatus().getEffectiveQuota().getMemoryLimit());
    assertThat(a.getStatus().getNodeName()).isSameAs(b.getStatus().getNodeName());
    assertThat(a.getMetadata().getNamespace()).isSameAs(b.getMetadata().getNamespace());
    assertThat(a.getSpec().getLicenses().get(0)).isSameAs(b.getSpec().getLicenses().get(0));
    assertThat(a.getStatus().getPodName()).isNotSameAs(b.getStatus().getPodName());
  }
}
