package dev.quotient.admission;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.Project;
import dev.quotient.api.ProjectSpec;
import dev.quotient.pod.ProjectPodFactory;
import dev.quotient.quota.EffectiveQuota;
import dev.quotient.quota.Resources;
import dev.quotient.settings.Settings;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodLeasesTest {

  static PodBuilder pod(
      String ownerApiVersion, String ownerKind, Map<String, String> labels, String licenses) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName("project-thesis")
            .withNamespace("physics")
            .withLabels(labels)
            .endMetadata();
    if (ownerKind != null) {
      b.editMetadata()
          .withOwnerReferences(
              new OwnerReferenceBuilder()
                  .withApiVersion(ownerApiVersion)
                  .withKind(ownerKind)
                  .withName("thesis")
                  .withUid("u")
                  .withController(true)
                  .build())
          .endMetadata();
    }
    if (licenses != null) {
      b.editMetadata().withAnnotations(Map.of("quotient.dev/licenses", licenses)).endMetadata();
    }
    return b;
  }

  static PodBuilder projectPod(Map<String, String> labels, String licenses) {
    return pod("quotient.dev/v1alpha1", "Project", labels, licenses);
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(
      nullValues = "null",
      value = {
        "quotient.dev/v1alpha1, Project,     true",
        "quotient.dev/v1,       Project,     true",
        "example.com/v1,        Project,     false",
        "quotient.dev/v1alpha1, License,     false",
        "apps/v1,               ReplicaSet,  false",
        "null,                  Project,     false",
        "null,                  null,        false",
      })
  void ownerIsTheQuotientProject(String apiVersion, String kind, boolean owned) {
    Pod p = pod(apiVersion, kind, Map.of(), null).build();
    assertThat(PodLeases.owner(p))
        .isEqualTo(
            owned
                ? java.util.Optional.of(new ProjectKey("physics", "thesis"))
                : java.util.Optional.empty());
  }

  @ParameterizedTest(name = "phase {0}, deleting {1} -> {2}")
  @CsvSource(
      nullValues = "null",
      value = {
        "null,      false, true",
        "Pending,   false, true",
        "Running,   false, true",
        "Unknown,   false, true",
        "Succeeded, false, false",
        "Failed,    false, false",
        "Running,   true,  false",
        "Pending,   true,  false",
      })
  void finishedOrDeletingPodsHoldNothing(String phase, boolean deleting, boolean holds) {
    PodBuilder b = projectPod(Map.of("quotient.dev/cpu-millis", "100"), "course");
    if (phase != null) {
      b.withNewStatus().withPhase(phase).endStatus();
    }
    if (deleting) {
      b.editMetadata().withDeletionTimestamp("2026-03-01T10:00:00Z").endMetadata();
    }
    Pod p = b.build();
    assertThat(PodLeases.holdsLease(p)).isEqualTo(holds);
    assertThat(PodLeases.lease(p).isPresent()).isEqualTo(holds);
  }

  @Test
  void leaseFromLabelsAndAnnotation() {
    Pod p =
        projectPod(
                Map.of(
                    "quotient.dev/cpu-millis",
                    "200",
                    "quotient.dev/memory-bytes",
                    "859832320",
                    "quotient.dev/gpu",
                    "1",
                    "quotient.dev/node-group",
                    "dgx"),
                " course, ,gpu ")
            .build();
    assertThat(PodLeases.lease(p))
        .contains(
            new Lease(
                new ProjectKey("physics", "thesis"),
                "project-thesis",
                new Resources(200, 859832320L, 1),
                new Resources(200, 859832320L, 1),
                List.of("course", "gpu"),
                "dgx"));
  }

  @ParameterizedTest(name = "cpu label ''{0}'' -> {1}")
  @CsvSource(
      nullValues = "null",
      value = {"null, 0", "abc, 0", "-5, 0", "1.5, 0", "'', 0", "250, 250"})
  void badNumbersCountAsZero(String value, long cpu) {
    Map<String, String> labels =
        value == null ? Map.of() : Map.of("quotient.dev/cpu-millis", value);
    assertThat(PodLeases.lease(projectPod(labels, null).build()))
        .get()
        .satisfies(
            l -> {
              assertThat(l.requests().cpuMillis()).isEqualTo(cpu);
              assertThat(l.licenses()).isEmpty();
              assertThat(l.nodeGroup()).isNull();
            });
  }

  @Test
  void podsWithoutProjectOwnerHoldNoLease() {
    assertThat(
            PodLeases.lease(
                pod(null, null, Map.of("quotient.dev/cpu-millis", "100"), "course").build()))
        .isEmpty();
    Pod noLabels =
        new PodBuilder()
            .withNewMetadata()
            .withName("project-x")
            .withNamespace("n")
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("quotient.dev/v1alpha1")
                    .withKind("Project")
                    .withName("x")
                    .build())
            .endMetadata()
            .build();
    assertThat(PodLeases.lease(noLabels))
        .get()
        .extracting(Lease::requests)
        .isEqualTo(Resources.ZERO);
    assertThat(PodLeases.licenses(noLabels)).isEmpty();
  }

  @Test
  void aLookAlikePodWithAnotherNameHoldsNothing() {
    Pod lookAlike =
        new PodBuilder()
            .withNewMetadata()
            .withName("sneaky")
            .withNamespace("n")
            .withLabels(Map.of("quotient.dev/cpu-millis", "64000"))
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("quotient.dev/v1alpha1")
                    .withKind("Project")
                    .withName("x")
                    .build())
            .endMetadata()
            .build();
    assertThat(PodLeases.lease(lookAlike)).isEmpty();
  }

  @Test
  void leaseReadFromAFactoryPodMatchesTheLeaseReserved() {
    Project project = new Project();
    project.setMetadata(
        new ObjectMetaBuilder().withName("thesis").withNamespace("physics").withUid("u-1").build());
    project.setSpec(new ProjectSpec());
    EffectiveQuota q =
        new EffectiveQuota(
            new Resources(2000, 4L << 30, 1),
            new Resources(200, 820L << 20, 1),
            0,
            "nvidia.com/gpu",
            Map.of(),
            List.of(),
            false,
            null,
            null,
            null,
            List.of("dgx"),
            List.of("course", "gpu"),
            List.of(),
            null,
            null);
    Pod pod = new ProjectPodFactory(Settings.defaults().pod()).desiredPod(project, q).pod();
    Lease reserved =
        new Lease(
            new ProjectKey("physics", "thesis"),
            pod.getMetadata().getName(),
            q.requests(),
            q.limits(),
            q.appliedLicenses(),
            "dgx");
    assertThat(PodLeases.lease(pod)).contains(reserved);
  }

  @Test
  void onlyAPodOfAProjectThatExistsWithItsUidBelongsToAProject() {
    Pod pod = projectPod(Map.of("quotient.dev/cpu-millis", "64000"), null).build(); // owner uid u
    ProjectKey thesis = new ProjectKey("physics", "thesis");
    assertThat(PodLeases.ownedByKnownProject(pod, k -> java.util.Optional.of("u"))).isTrue();
    // no such Project, or one of that name created anew (another uid)
    assertThat(PodLeases.ownedByKnownProject(pod, k -> java.util.Optional.empty())).isFalse();
    assertThat(PodLeases.ownedByKnownProject(pod, k -> java.util.Optional.of("other"))).isFalse();
    assertThat(
            PodLeases.ownedByKnownProject(
                pod,
                k -> k.equals(thesis) ? java.util.Optional.of("u") : java.util.Optional.empty()))
        .isTrue();
    // no owner at all, or an owner reference without a uid
    assertThat(
            PodLeases.ownedByKnownProject(
                pod(null, null, Map.of(), null).build(), k -> java.util.Optional.of("u")))
        .isFalse();
    Pod noUid = projectPod(Map.of(), null).build();
    noUid.getMetadata().getOwnerReferences().get(0).setUid(null);
    assertThat(PodLeases.ownedByKnownProject(noUid, k -> java.util.Optional.of("u"))).isFalse();
  }
}
