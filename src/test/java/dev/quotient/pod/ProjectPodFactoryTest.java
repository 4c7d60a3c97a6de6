package dev.quotient.pod;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectSpec;
import dev.quotient.api.QuotientLabels;
import dev.quotient.quota.EffectiveQuota;
import dev.quotient.quota.LicensePatch;
import dev.quotient.quota.Resources;
import dev.quotient.settings.PodSettings;
import dev.quotient.settings.SettingsParser;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ProjectPodFactoryTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String UID = "3f2a9c1e-0000-4000-8000-000000000001";
  private static final String PROJECT_ID = "6f1d2b7c-1111-4222-8333-444455556666";

  // ---- fixtures -----------------------------------------------------------------------------

  static PodSettings settings(String... kv) {
    Map<String, String> data = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      data.put(kv[i], kv[i + 1]);
    }
    return SettingsParser.parse(data).pod();
  }

  static Project project(String name, String projectId, String image, List<String> licenses) {
    Project p = new Project();
    p.setMetadata(
        new ObjectMetaBuilder().withName(name).withNamespace("physics").withUid(UID).build());
    ProjectSpec spec = new ProjectSpec();
    spec.setProjectId(projectId);
    spec.setImage(image);
    spec.setLicenses(licenses);
    p.setSpec(spec);
    return p;
  }

  static Project project() {
    return project("thesis", PROJECT_ID, null, List.of("course", "gpu"));
  }

  /** A quota as the calculator would hand it over; each test changes what it looks at. */
  static final class Q {
    Resources limits = new Resources(2000, 4L << 30, 0);
    Resources requests = new Resources(200, 820L << 20, 0);
    long eph;
    String gpuResource;
    Map<String, String> gpuSelector = Map.of();
    List<Toleration> gpuTolerations = List.of();
    List<String> groups = List.of();
    List<String> applied = List.of("course");
    List<LicensePatch> patches = new ArrayList<>();

    Q gpu(long n) {
      limits = new Resources(limits.cpuMillis(), limits.memoryBytes(), n);
      requests = new Resources(requests.cpuMillis(), requests.memoryBytes(), n);
      gpuResource = "nvidia.com/gpu";
      return this;
    }

    Q patch(String license, String strategicMerge) {
      patches.add(new LicensePatch(license, json(strategicMerge), null));
      return this;
    }

    Q jsonPatch(String license, String ops) {
      patches.add(new LicensePatch(license, null, json(ops)));
      return this;
    }

    EffectiveQuota build() {
      return new EffectiveQuota(
          limits,
          requests,
          eph,
          gpuResource,
          gpuSelector,
          gpuTolerations,
          false,
          null,
          null,
          null,
          groups,
          applied,
          patches,
          null,
          null);
    }
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** The pod as the API server receives it (null and empty collections both vanish). */
  static JsonNode asJson(Pod pod) {
    return JSON.valueToTree(pod);
  }

  static PodPlan plan(PodSettings s, EffectiveQuota q) {
    return new ProjectPodFactory(s).desiredPod(project(), q);
  }

  static Pod pod(PodSettings s, EffectiveQuota q) {
    PodPlan plan = plan(s, q);
    assertThat(plan.rejectedPatches()).isEmpty();
    return plan.pod();
  }

  static Pod pod(EffectiveQuota q) {
    return pod(settings(), q);
  }

  static Container projectContainer(Pod pod) {
    return pod.getSpec().getContainers().stream()
        .filter(c -> c.getName().equals("project"))
        .findFirst()
        .orElseThrow();
  }

  static Map<String, String> env(Container c) {
    Map<String, String> out = new HashMap<>();
    for (EnvVar e : c.getEnv()) {
      out.put(e.getName(), e.getValue());
    }
    return out;
  }

  // ---- the base pod -------------------------------------------------------------------------

  @Test
  void identityAndOwnerReference() {
    Pod pod = pod(new Q().build());
    assertThat(pod.getMetadata().getName()).isEqualTo("project-thesis");
    assertThat(pod.getMetadata().getNamespace()).isEqualTo("physics");
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            (OwnerReference o) -> {
              assertThat(o.getApiVersion()).isEqualTo("quotient.dev/v1alpha1");
              assertThat(o.getKind()).isEqualTo("Project");
              assertThat(o.getName()).isEqualTo("thesis");
              assertThat(o.getUid()).isEqualTo(UID);
              assertThat(o.getController()).isTrue();
              assertThat(o.getBlockOwnerDeletion()).isTrue();
            });
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Always");
    assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getSpec().getContainers())
        .extracting(Container::getName)
        .containsExactly("project");
  }

  @Test
  void podNameIsStableAndBounded() {
    assertThat(ProjectPodFactory.podName("thesis")).isEqualTo("project-thesis");
    String longName = "p".repeat(253);
    assertThat(ProjectPodFactory.podName(longName))
        .hasSize(253)
        .startsWith("project-ppp")
        .matches("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        .isEqualTo(ProjectPodFactory.podName(longName))
        .isNotEqualTo(ProjectPodFactory.podName("p".repeat(252) + "q"));
    assertThat(ProjectPodFactory.podName("a".repeat(245)))
        .hasSize(253)
        .isEqualTo("project-" + "a".repeat(245));
    assertThat(ProjectPodFactory.podName("a".repeat(227) + "." + "b".repeat(30)))
        .hasSizeLessThanOrEqualTo(253)
        .matches("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        .doesNotContain(".-");
  }

  @Test
  void limitsAndRequests() {
    Pod pod = pod(new Q().build());
    var r = projectContainer(pod).getResources();
    assertThat(r.getLimits())
        .containsOnly(
            Map.entry("cpu", new Quantity("2")), Map.entry("memory", new Quantity("4Gi")));
    assertThat(r.getRequests())
        .containsOnly(
            Map.entry("cpu", new Quantity("200m")), Map.entry("memory", new Quantity("820Mi")));
    assertThat(r.getLimits().get("cpu").toString()).isEqualTo("2");
    assertThat(r.getRequests().get("memory").toString()).isEqualTo("820Mi");
  }

  @Test
  void ephemeralStorageLimitOnlyWhenSet() {
    Q q = new Q();
    q.eph = 10L << 30;
    assertThat(projectContainer(pod(q.build())).getResources().getLimits())
        .containsEntry("ephemeral-storage", new Quantity("10Gi"));
    assertThat(projectContainer(pod(new Q().build())).getResources().getLimits())
        .doesNotContainKey("ephemeral-storage");
  }

  @Test
  void labelsCarryTheLease() {
    Q q = new Q().gpu(2);
    q.groups = List.of("dgx", "hpc");
    q.applied = List.of("course", "gpu");
    Pod pod = pod(q.build());
    assertThat(pod.getMetadata().getLabels())
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                Map.entry("app.kubernetes.io/name", "quotient-project"),
                Map.entry("app.kubernetes.io/managed-by", "quotient"),
                Map.entry("quotient.dev/project", "thesis"),
                Map.entry("quotient.dev/project-id", PROJECT_ID),
                Map.entry("quotient.dev/cpu-millis", "200"),
                Map.entry("quotient.dev/memory-bytes", Long.toString(820L << 20)),
                Map.entry("quotient.dev/gpu", "2"),
                Map.entry("quotient.dev/cpu-limit-millis", "2000"),
                Map.entry("quotient.dev/memory-limit-bytes", Long.toString(4L << 30)),
                Map.entry("quotient.dev/node-group", "dgx"),
                Map.entry("quotient.dev/image-tag", "latest")));
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry(QuotientLabels.LICENSES, "course,gpu")
        .containsEntry(QuotientLabels.REQUESTED_LICENSES, "course,gpu");
  }

  @Test
  void noNodeGroupLabelWithoutGroupAndEmptyLicenseAnnotations() {
    Q q = new Q();
    q.applied = List.of();
    Pod pod =
        new ProjectPodFactory(settings())
            .desiredPod(project("p", null, null, null), q.build())
            .pod();
    assertThat(pod.getMetadata().getLabels())
        .doesNotContainKey(QuotientLabels.NODE_GROUP)
        .containsEntry(QuotientLabels.GPU, "0");
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry(QuotientLabels.LICENSES, "")
        .containsEntry(QuotientLabels.REQUESTED_LICENSES, "");
  }

  @Test
  void longOrOddNamesBecomeValidLabelValues() {
    String longName = "a".repeat(70);
    Pod pod =
        new ProjectPodFactory(settings())
            .desiredPod(project(longName, "id/with:odd chars", null, null), new Q().build())
            .pod();
    String v = pod.getMetadata().getLabels().get(QuotientLabels.PROJECT);
    assertThat(v)
        .hasSizeLessThanOrEqualTo(63)
        .matches("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
    assertThat(pod.getMetadata().getLabels().get(QuotientLabels.PROJECT_ID))
        .hasSizeLessThanOrEqualTo(63)
        .matches("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
    assertThat(ProjectPodFactory.labelValue("thesis")).isEqualTo("thesis");
    assertThat(ProjectPodFactory.labelValue("-x-"))
        .isNotEqualTo(ProjectPodFactory.labelValue("_x_"));
  }

  @Test
  void gpuLimitNodeSelectorAndTolerations() {
    Toleration gpuTaint =
        new TolerationBuilder()
            .withKey("nvidia.com/gpu")
            .withOperator("Exists")
            .withEffect("NoSchedule")
            .build();
    Q q = new Q().gpu(1);
    q.gpuSelector = Map.of("accelerator", "a100");
    q.gpuTolerations = List.of(gpuTaint);
    Pod pod =
        pod(
            settings(
                "pod.projectNodeSelector",
                "pool=projects",
                "pod.projectTolerations",
                "pool=projects:NoSchedule"),
            q.build());
    var r = projectContainer(pod).getResources();
    assertThat(r.getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(r.getRequests()).containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(pod.getSpec().getNodeSelector())
        .as("GPU selector replaces the project-node selector")
        .containsExactly(Map.entry("accelerator", "a100"));
    assertThat(pod.getSpec().getTolerations())
        .extracting(Toleration::getKey)
        .containsExactly("pool", "nvidia.com/gpu");
    assertThat(pod.getSpec().getAffinity()).isNull();
  }

  @Test
  void otherGpuResourceName() {
    Q q = new Q().gpu(2);
    q.gpuResource = "amd.com/gpu";
    var r = projectContainer(pod(q.build())).getResources();
    assertThat(r.getLimits())
        .containsEntry("amd.com/gpu", new Quantity("2"))
        .doesNotContainKey("nvidia.com/gpu");
    assertThat(r.getRequests()).containsEntry("amd.com/gpu", new Quantity("2"));
  }

  static Toleration gpuTaintToleration(String resource) {
    return new TolerationBuilder()
        .withKey(resource)
        .withOperator("Exists")
        .withEffect("NoSchedule")
        .build();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"nvidia.com/gpu", "amd.com/gpu"})
  void gpuPodToleratesTheTaintOfItsGpuResourceByDefault(String resource) {
    Q q = new Q().gpu(1);
    q.gpuResource = resource;
    assertThat(pod(q.build()).getSpec().getTolerations())
        .as("like Kubernetes' ExtendedResourceToleration admission plugin")
        .containsExactly(gpuTaintToleration(resource));
  }

  @Test
  void gpuTaintTolerationCanBeTurnedOff() {
    Pod pod = pod(settings("pod.tolerateGpuTaint", "false"), new Q().gpu(1).build());
    assertThat(projectContainer(pod).getResources().getLimits())
        .containsEntry("nvidia.com/gpu", new Quantity("1"));
    assertThat(pod.getSpec().getTolerations()).isEmpty();
  }

  @Test
  void noGpuNoGpuTaintToleration() {
    Q q = new Q();
    q.gpuResource = "nvidia.com/gpu";
    assertThat(pod(q.build()).getSpec().getTolerations()).isEmpty();
  }

  @ParameterizedTest(name = "license value {0}")
  @CsvSource(
      value = {"null", "''"},
      nullValues = "null")
  void gpuTaintTolerationNamedByTheLicenseIsNotDuplicated(String value) {
    Q q = new Q().gpu(1);
    Toleration fromLicense = gpuTaintToleration("nvidia.com/gpu");
    fromLicense.setValue(value);
    q.gpuTolerations = List.of(fromLicense);
    assertThat(pod(q.build()).getSpec().getTolerations()).containsExactly(fromLicense);
  }

  @Test
  void gpuTaintTolerationComesAfterADifferentLicenseToleration() {
    Q q = new Q().gpu(1);
    Toleration equalValue =
        new TolerationBuilder()
            .withKey("nvidia.com/gpu")
            .withOperator("Equal")
            .withValue("a100")
            .withEffect("NoSchedule")
            .build();
    q.gpuTolerations = List.of(equalValue);
    assertThat(pod(q.build()).getSpec().getTolerations())
        .containsExactly(equalValue, gpuTaintToleration("nvidia.com/gpu"));
  }

  @ParameterizedTest(name = "key {0}")
  @CsvSource({"quotient.dev/dedicated-node-group", "cocalc-dedicated_vm"})
  void dedicatedGroupGetsTolerationAndRequiredAffinity(String key) {
    Q q = new Q();
    q.groups = List.of("foo", "bar");
    Pod pod =
        pod(
            settings(
                "nodeGroupKey",
                key,
                "pod.projectNodeSelector",
                "pool=projects",
                "pod.projectTolerations",
                "pool=projects:NoSchedule"),
            q.build());
    assertThat(pod.getSpec().getTolerations())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getKey()).isEqualTo(key);
              assertThat(t.getOperator()).isEqualTo("Equal");
              assertThat(t.getValue()).isEqualTo("foo");
              assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
    var required =
        pod.getSpec()
            .getAffinity()
            .getNodeAffinity()
            .getRequiredDuringSchedulingIgnoredDuringExecution();
    assertThat(required.getNodeSelectorTerms())
        .singleElement()
        .satisfies(
            term ->
                assertThat(term.getMatchExpressions())
                    .singleElement()
                    .satisfies(
                        (NodeSelectorRequirement e) -> {
                          assertThat(e.getKey()).isEqualTo(key);
                          assertThat(e.getOperator()).isEqualTo("In");
                          assertThat(e.getValues()).containsExactly("foo");
                        }));
    assertThat(
            pod.getSpec()
                .getAffinity()
                .getNodeAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution())
        .isNullOrEmpty();
    assertThat(pod.getSpec().getNodeSelector())
        .as("no project-node selector on a dedicated group")
        .isNullOrEmpty();
  }

  static Stream<Arguments> placement() {
    return Stream.of(
        Arguments.of(
            "no group, no GPU: project nodes",
            List.of(),
            Map.of(),
            Map.of("pool", "projects"),
            List.of("pool")),
        Arguments.of(
            "GPU selector replaces project nodes",
            List.of(),
            Map.of("gpu", "yes"),
            Map.of("gpu", "yes"),
            List.of("pool", "nvidia.com/gpu")),
        Arguments.of(
            "dedicated group: no project nodes",
            List.of("dgx"),
            Map.of(),
            Map.of(),
            List.of("quotient.dev/dedicated-node-group")),
        Arguments.of(
            "dedicated group with GPU selector",
            List.of("dgx"),
            Map.of("gpu", "yes"),
            Map.of("gpu", "yes"),
            List.of("quotient.dev/dedicated-node-group", "nvidia.com/gpu")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void placement(
      String title,
      List<String> groups,
      Map<String, String> gpuSelector,
      Map<String, String> nodeSelector,
      List<String> tolerationKeys) {
    Q q = gpuSelector.isEmpty() ? new Q() : new Q().gpu(1);
    q.groups = groups;
    q.gpuSelector = gpuSelector;
    Pod pod =
        pod(
            settings(
                "pod.projectNodeSelector",
                "pool=projects",
                "pod.projectTolerations",
                "pool=projects:NoSchedule"),
            q.build());
    assertThat(pod.getSpec().getNodeSelector() == null ? Map.of() : pod.getSpec().getNodeSelector())
        .containsExactlyInAnyOrderEntriesOf(nodeSelector);
    assertThat(pod.getSpec().getTolerations())
        .extracting(Toleration::getKey)
        .containsExactlyElementsOf(tolerationKeys);
    assertThat(pod.getSpec().getAffinity() != null).isEqualTo(!groups.isEmpty());
  }

  @Test
  void noProjectNodeSettingsMeansNoSelector() {
    Pod pod = pod(new Q().build());
    assertThat(pod.getSpec().getNodeSelector()).isNullOrEmpty();
    assertThat(pod.getSpec().getTolerations()).isEmpty();
  }

  @Test
  void homeOnTheClaimUnderProjectsProjectId() {
    Pod pod = pod(settings("pod.homeClaimName", "homes"), new Q().build());
    assertThat(pod.getSpec().getVolumes())
        .singleElement()
        .satisfies(
            (Volume v) -> {
              assertThat(v.getName()).isEqualTo("home");
              assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("homes");
              assertThat(v.getEmptyDir()).isNull();
            });
    Container c = projectContainer(pod);
    assertThat(c.getVolumeMounts())
        .singleElement()
        .satisfies(
            (VolumeMount m) -> {
              assertThat(m.getName()).isEqualTo("home");
              assertThat(m.getMountPath()).isEqualTo("/home/user");
              assertThat(m.getSubPath()).isEqualTo("projects/" + PROJECT_ID);
            });
    assertThat(env(c))
        .containsEntry("HOME", "/home/user")
        .containsEntry("QUOTIENT_PROJECT", "thesis")
        .containsEntry("QUOTIENT_PROJECT_ID", PROJECT_ID);
  }

  @Test
  void projectIdDefaultsToTheUid() {
    Pod pod =
        new ProjectPodFactory(settings("pod.homeClaimName", "homes"))
            .desiredPod(project("thesis", " ", null, null), new Q().build())
            .pod();
    assertThat(projectContainer(pod).getVolumeMounts().get(0).getSubPath())
        .isEqualTo("projects/" + UID);
    assertThat(pod.getMetadata().getLabels()).containsEntry(QuotientLabels.PROJECT_ID, UID);
  }

  @Test
  void customSubPathAndMountPath() {
    Pod pod =
        pod(
            settings(
                "pod.homeClaimName",
                "homes",
                "pod.homeSubPath",
                "users/{projectId}/home",
                "pod.homeMountPath",
                "/home/cocalc"),
            new Q().build());
    VolumeMount m = projectContainer(pod).getVolumeMounts().get(0);
    assertThat(m.getSubPath()).isEqualTo("users/" + PROJECT_ID + "/home");
    assertThat(m.getMountPath()).isEqualTo("/home/cocalc");
    assertThat(env(projectContainer(pod))).containsEntry("HOME", "/home/cocalc");
  }

  @Test
  void blankSubPathMountsTheClaimRoot() {
    Pod pod = pod(settings("pod.homeClaimName", "homes", "pod.homeSubPath", ""), new Q().build());
    assertThat(projectContainer(pod).getVolumeMounts().get(0).getSubPath()).isNull();
    assertThat(pod.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName())
        .isEqualTo("homes");
  }

  @Test
  void emptyDirWhenNoClaim() {
    Pod pod = pod(new Q().build());
    assertThat(pod.getSpec().getVolumes())
        .singleElement()
        .satisfies(
            (Volume v) -> {
              assertThat(v.getEmptyDir()).isNotNull();
              assertThat(v.getPersistentVolumeClaim()).isNull();
            });
    assertThat(projectContainer(pod).getVolumeMounts().get(0).getSubPath()).isNull();
  }

  @ParameterizedTest(name = "uid {0} gid {1}")
  @CsvSource({"2001, 2001", "1000, 100"})
  void restrictedSecurityContext(long uid, long gid) {
    Pod pod =
        pod(
            settings("pod.uid", Long.toString(uid), "pod.gid", Long.toString(gid)),
            new Q().build());
    PodSecurityContext psc = pod.getSpec().getSecurityContext();
    assertThat(psc.getRunAsNonRoot()).isTrue();
    assertThat(psc.getRunAsUser()).isEqualTo(uid);
    assertThat(psc.getRunAsGroup()).isEqualTo(gid);
    assertThat(psc.getFsGroup()).isEqualTo(gid);
    assertThat(psc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    SecurityContext sc = projectContainer(pod).getSecurityContext();
    assertThat(sc.getRunAsNonRoot()).isTrue();
    assertThat(sc.getRunAsUser()).isEqualTo(uid);
    assertThat(sc.getRunAsGroup()).isEqualTo(gid);
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(RestrictedProfile.violations(pod)).isEmpty();
  }

  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource(
      nullValues = "null",
      value = {
        "null,                                 quay.io/jupyter/base-notebook:latest",
        "quay.io/jupyter/scipy-notebook:2025,  quay.io/jupyter/scipy-notebook:2025",
        "docker.io/evil/miner:latest,          quay.io/jupyter/base-notebook:latest",
      })
  void imagePolicy(String requested, String expected) {
    PodSettings s =
        settings(
            "pod.allowedImages",
            "quay.io/jupyter/scipy-notebook:2025",
            "pod.imagePullPolicy",
            "Always");
    Pod pod =
        new ProjectPodFactory(s)
            .desiredPod(project("thesis", PROJECT_ID, requested, null), new Q().build())
            .pod();
    assertThat(projectContainer(pod).getImage()).isEqualTo(expected);
    assertThat(projectContainer(pod).getImagePullPolicy()).isEqualTo("Always");
  }

  /** Seed 002's project_tag: admins find the pods on an old image by this label. */
  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource(
      nullValues = "null",
      value = {
        "quay.io/jupyter/base-notebook:latest,           latest",
        "quay.io/jupyter/scipy-notebook:2026-11-30,      2026-11-30",
        "registry.local:5000/cocalc/project,             latest",
        "registry.local:5000/cocalc/project:v2.1_rc1,    v2.1_rc1",
        "ubuntu,                                          latest",
        "quay.io/x/y:1.0@sha256:0123456789abcdef0123,    1.0",
        "quay.io/x/y@sha256:0123456789abcdef0123,        sha256-0123456789ab",
        "null,                                            latest",
        "quay.io/x/y:-leading-dash,                       leading-dash-3a9f6f4c3a3c0a3f",
      })
  void imageTagLabel(String image, String expected) {
    if (expected.startsWith("leading-dash-")) {
      // not a valid label value as it stands: a readable prefix plus a hash
      assertThat(ProjectPodFactory.imageTag(image)).startsWith("leading-dash-").hasSize(29);
      return;
    }
    assertThat(ProjectPodFactory.imageTag(image)).isEqualTo(expected);
  }

  @Test
  void imageTagLabelNamesTheImageThatRuns() {
    PodSettings s = settings("pod.allowedImages", "quay.io/jupyter/scipy-notebook:2025");
    Pod pod =
        new ProjectPodFactory(s)
            .desiredPod(
                project("thesis", PROJECT_ID, "quay.io/jupyter/scipy-notebook:2025", null),
                new Q().build())
            .pod();
    assertThat(pod.getMetadata().getLabels()).containsEntry(QuotientLabels.IMAGE_TAG, "2025");
    Pod patched =
        pod(
            s,
            new Q()
                .patch(
                    "course",
                    "{\"spec\":{\"containers\":[{\"name\":\"project\",\"image\":\"quay.io/jupyter/scipy-notebook:2025\"}]}}")
                .build());
    assertThat(patched.getMetadata().getLabels()).containsEntry(QuotientLabels.IMAGE_TAG, "2025");
  }

  @Test
  void sameInputSamePod() {
    assertThat(pod(new Q().build())).isEqualTo(pod(new Q().build()));
  }

  // ---- license pod patches ------------------------------------------------------------------

  private static final String RESTRICTED_SC =
      """
      "securityContext": {"allowPrivilegeEscalation": false, "runAsNonRoot": true,
        "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}""";

  // ---- ephemeral runs -------------------------------------------------------------------------

  static Project run(List<String> command, List<String> args) {
    Project p = project();
    p.getSpec().setLifetime(dev.quotient.api.Lifetime.Ephemeral);
    p.getSpec().setCommand(command);
    p.getSpec().setArgs(args);
    return p;
  }

  @Test
  void anEphemeralRunsPodRunsItsCommandOnceAndIsLabelledARun() {
    Pod pod =
        new ProjectPodFactory(settings())
            .desiredPod(run(List.of("sh", "-c"), List.of("train.py; exit 0")), new Q().build())
            .pod();
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(projectContainer(pod).getCommand()).containsExactly("sh", "-c");
    assertThat(projectContainer(pod).getArgs()).containsExactly("train.py; exit 0");
    assertThat(pod.getMetadata().getLabels()).containsEntry(QuotientLabels.LIFETIME, "Ephemeral");
    // Same home, licenses and security as a workspace.
    Pod workspace = pod(new Q().build());
    assertThat(pod.getSpec().getVolumes()).isEqualTo(workspace.getSpec().getVolumes());
    assertThat(projectContainer(pod).getSecurityContext())
        .isEqualTo(projectContainer(workspace).getSecurityContext());
    assertThat(pod.getMetadata().getAnnotations())
        .isEqualTo(workspace.getMetadata().getAnnotations());
  }

  @Test
  void aWorkspaceRestartsAlwaysAndKeepsTheImagesEntrypoint() {
    Pod pod = pod(new Q().build());
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Always");
    assertThat(projectContainer(pod).getCommand()).isNullOrEmpty();
    assertThat(pod.getMetadata().getLabels()).doesNotContainKey(QuotientLabels.LIFETIME);
    assertThat(asJson(pod).path("spec").path("containers").get(0).has("command")).isFalse();
  }

  @Test
  void aPodPatchMayNotTurnARunIntoAPodThatRestarts() {
    PodPlan plan =
        new ProjectPodFactory(settings())
            .desiredPod(
                run(List.of("agent"), null),
                new Q().patch("course", "{\"spec\":{\"restartPolicy\":\"OnFailure\"}}").build());
    assertThat(plan.pod().getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(plan.rejectedPatches())
        .extracting(PatchRejection::reason)
        .singleElement()
        .asString()
        .contains("may not change restartPolicy");
  }

  @Test
  void patchAddsAnEnvVarToTheProjectContainer() {
    Pod pod =
        pod(
            new Q()
                .patch(
                    "course",
                    "{\"spec\":{\"containers\":[{\"name\":\"project\",\"env\":[{\"name\":\"COURSE\",\"value\":\"math101\"}]}]}}")
                .build());
    assertThat(env(projectContainer(pod)))
        .containsEntry("COURSE", "math101")
        .containsEntry("HOME", "/home/user")
        .containsKey("QUOTIENT_PROJECT");
    assertThat(pod.getSpec().getContainers()).hasSize(1);
  }

  @Test
  void patchOverridesAnEnvVarByName() {
    Pod pod =
        pod(
            new Q()
                .patch(
                    "course",
                    "{\"spec\":{\"containers\":[{\"name\":\"project\",\"env\":[{\"name\":\"HOME\",\"value\":\"/work\"}]}]}}")
                .build());
    assertThat(projectContainer(pod).getEnv())
        .filteredOn(e -> e.getName().equals("HOME"))
        .singleElement()
        .extracting(EnvVar::getValue)
        .isEqualTo("/work");
  }

  @Test
  void patchAddsASidecar() {
    Pod pod =
        pod(
            settings("pod.allowedImages", "nginx:1.27"),
            new Q()
                .patch(
                    "course",
                    """
        {"spec": {"containers": [{"name": "proxy", "image": "nginx:1.27", %s}]}}"""
                        .formatted(RESTRICTED_SC))
                .build());
    assertThat(pod.getSpec().getContainers())
        .extracting(Container::getName)
        .containsExactly("project", "proxy");
    assertThat(projectContainer(pod).getResources().getLimits())
        .containsEntry("cpu", new Quantity("2"));
  }

  @Test
  void patchAddsAVolumeAndMergesVolumesByName() {
    Pod pod =
        pod(
            settings("pod.homeClaimName", "homes"),
            new Q()
                .patch(
                    "data",
                    """
        {"spec": {
          "volumes": [{"name": "datasets", "persistentVolumeClaim": {"claimName": "datasets", "readOnly": true}},
                      {"name": "home", "persistentVolumeClaim": {"readOnly": false}}],
          "containers": [{"name": "project", "volumeMounts": [{"name": "datasets", "mountPath": "/data", "readOnly": true}]}]
        }}""")
                .build());
    assertThat(pod.getSpec().getVolumes())
        .extracting(Volume::getName)
        .containsExactly("home", "datasets");
    assertThat(pod.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName())
        .isEqualTo("homes");
    assertThat(pod.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getReadOnly())
        .isFalse();
    assertThat(projectContainer(pod).getVolumeMounts())
        .extracting(VolumeMount::getMountPath)
        .containsExactly("/home/user", "/data");
  }

  @Test
  void patchAddsNonQuotientLabelsAndAPriorityClass() {
    Pod pod =
        pod(
            new Q()
                .patch(
                    "course",
                    """
        {"metadata": {"labels": {"course": "math101"}, "annotations": {"example.com/x": "y"}},
         "spec": {"priorityClassName": "teaching"}}""")
                .build());
    assertThat(pod.getMetadata().getLabels())
        .containsEntry("course", "math101")
        .containsEntry("quotient.dev/project", "thesis");
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("example.com/x", "y");
    assertThat(pod.getSpec().getPriorityClassName()).isEqualTo("teaching");
  }

  @Test
  void patchMayAddContainersThatStayInsideTheLease() {
    PodPlan plan =
        plan(
            settings(),
            new Q()
                .patch(
                    "course",
                    """
        {"spec": {"initContainers": [{"name": "fetch", "image": "quay.io/jupyter/base-notebook:latest",
                                      "resources": {"requests": {"cpu": "200m", "memory": "800Mi"}}, %1$s}],
                  "containers": [{"name": "logger", "image": "quay.io/jupyter/base-notebook:latest", %1$s}]}}"""
                        .formatted(RESTRICTED_SC))
                .build());
    assertThat(plan.rejectedPatches()).isEmpty();
    assertThat(plan.pod().getSpec().getInitContainers()).hasSize(1);
    assertThat(plan.pod().getSpec().getContainers()).hasSize(2);
  }

  @Test
  void jsonPatchOperationsApplyAfterTheMerge() {
    Q q = new Q();
    q.patches.add(
        new LicensePatch(
            "course",
            json("{\"spec\":{\"containers\":[{\"name\":\"project\",\"args\":[\"--a\",\"--b\"]}]}}"),
            json(
                "[{\"op\":\"remove\",\"path\":\"/spec/containers/0/args/0\"},"
                    + "{\"op\":\"add\",\"path\":\"/metadata/labels/course\",\"value\":\"math101\"}]")));
    Pod pod = pod(q.build());
    assertThat(projectContainer(pod).getArgs()).containsExactly("--b");
    assertThat(pod.getMetadata().getLabels()).containsEntry("course", "math101");
  }

  @Test
  void patchesApplyInLicenseOrder() {
    Pod pod =
        pod(
            new Q()
                .patch("a", "{\"metadata\":{\"labels\":{\"tier\":\"a\",\"only-a\":\"1\"}}}")
                .patch("b", "{\"metadata\":{\"labels\":{\"tier\":\"b\"}}}")
                .build());
    assertThat(pod.getMetadata().getLabels())
        .containsEntry("tier", "b")
        .containsEntry("only-a", "1");
  }

  record Rejection(
      String title,
      String strategicMerge,
      String jsonPatch,
      String reason,
      boolean allowedWhenPrivileged) {
    @Override
    public String toString() {
      return title;
    }
  }

  static Stream<Rejection> rejectedPatches() {
    return Stream.of(
        new Rejection(
            "patch sets a node selector",
            "{\"spec\":{\"nodeSelector\":{\"hardware\":\"big-memory\"}}}",
            null,
            "may not change the pod's placement (spec.nodeSelector)",
            false),
        new Rejection(
            "patch adds a toleration",
            "{\"spec\":{\"tolerations\":[{\"key\":\"quotient.dev/dedicated-node-group\",\"operator\":\"Exists\"}]}}",
            null,
            "(spec.tolerations)",
            false),
        new Rejection(
            "patch sets an affinity",
            "{\"spec\":{\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"gpu\",\"operator\":\"Exists\"}]}]}}}}}",
            null,
            "(spec.affinity)",
            false),
        new Rejection(
            "JSON patch names the node",
            null,
            "[{\"op\":\"add\",\"path\":\"/spec/nodeName\",\"value\":\"gpu-1\"}]",
            "(spec.nodeName)",
            false),
        new Rejection(
            "sidecar image not allowed",
            "{\"spec\":{\"containers\":[{\"name\":\"miner\",\"image\":\"example.com/miner:1\"}]}}",
            null,
            "may only use the default image or one of pod.allowedImages; not example.com/miner:1",
            false),
        new Rejection(
            "project container image replaced",
            "{\"spec\":{\"containers\":[{\"name\":\"project\",\"image\":\"example.com/other:2\"}]}}",
            null,
            "not example.com/other:2",
            false),
        new Rejection(
            "sidecar requests beyond the lease",
            "{\"spec\":{\"containers\":[{\"name\":\"side\",\"image\":\"quay.io/jupyter/base-notebook:latest\",\"resources\":{\"requests\":{\"cpu\":\"1\"}}}]}}",
            null,
            "may not make the pod request more cpu than its lease (1.2 > 0.2)",
            false),
        new Rejection(
            "sidecar limit without request counts as its request",
            "{\"spec\":{\"containers\":[{\"name\":\"side\",\"image\":\"quay.io/jupyter/base-notebook:latest\",\"resources\":{\"limits\":{\"nvidia.com/gpu\":\"1\"}}}]}}",
            null,
            "more nvidia.com/gpu than its lease (1 > 0)",
            false),
        new Rejection(
            "init container requests beyond the lease",
            "{\"spec\":{\"initContainers\":[{\"name\":\"warm\",\"image\":\"quay.io/jupyter/base-notebook:latest\",\"resources\":{\"requests\":{\"memory\":\"8Gi\"}}}]}}",
            null,
            "more memory than its lease",
            false),
        new Rejection(
            "privileged project container",
            "{\"spec\":{\"containers\":[{\"name\":\"project\",\"securityContext\":{\"privileged\":true}}]}}",
            null,
            "container 'project' is privileged",
            true),
        new Rejection(
            "container runs as root",
            "{\"spec\":{\"containers\":[{\"name\":\"project\",\"securityContext\":{\"runAsUser\":0}}]}}",
            null,
            "runs as user 0",
            true),
        new Rejection(
            "pod runs as root",
            "{\"spec\":{\"securityContext\":{\"runAsUser\":0}}}",
            null,
            "the pod runs as user 0",
            true),
        new Rejection(
            "pod allows root",
            "{\"spec\":{\"securityContext\":{\"runAsNonRoot\":false}}}",
            null,
            "runAsNonRoot",
            true),
        new Rejection(
            "pod seccomp unconfined",
            "{\"spec\":{\"securityContext\":{\"seccompProfile\":{\"type\":\"Unconfined\"}}}}",
            null,
            "seccomp",
            true),
        new Rejection(
            "hostPath volume",
            "{\"spec\":{\"volumes\":[{\"name\":\"docker\",\"hostPath\":{\"path\":\"/var/run/docker.sock\"}}]}}",
            null,
            "hostPath",
            true),
        new Rejection(
            "host network", "{\"spec\":{\"hostNetwork\":true}}", null, "host namespaces", true),
        new Rejection(
            "capability added",
            "{\"spec\":{\"containers\":[{\"name\":\"project\",\"securityContext\":{\"capabilities\":{\"add\":[\"SYS_ADMIN\"]}}}]}}",
            null,
            "SYS_ADMIN",
            true),
        new Rejection(
            "sidecar without securityContext",
            "{\"spec\":{\"containers\":[{\"name\":\"proxy\",\"image\":\"quay.io/jupyter/base-notebook:latest\"}]}}",
            null,
            "container 'proxy' has no securityContext",
            true),
        new Rejection(
            "privileged via JSON patch",
            null,
            "[{\"op\":\"add\",\"path\":\"/spec/containers/0/securityContext/privileged\",\"value\":true}]",
            "privileged",
            true),
        new Rejection(
            "changes the cpu limit",
            "{\"spec\":{\"containers\":[{\"name\":\"project\",\"resources\":{\"limits\":{\"cpu\":\"64\"}}}]}}",
            null,
            "may not change the project container's resources",
            false),
        new Rejection(
            "adds a GPU request",
            "{\"spec\":{\"containers\":[{\"name\":\"project\",\"resources\":{\"requests\":{\"nvidia.com/gpu\":\"1\"}}}]}}",
            null,
            "resources",
            false),
        new Rejection(
            "changes a ledger label",
            "{\"metadata\":{\"labels\":{\"quotient.dev/cpu-millis\":\"1\"}}}",
            null,
            "quotient.dev/* labels",
            false),
        new Rejection(
            "adds a quotient.dev label",
            "{\"metadata\":{\"labels\":{\"quotient.dev/node-group\":\"dgx\"}}}",
            null,
            "quotient.dev/*",
            false),
        new Rejection(
            "removes the licenses annotation",
            "{\"metadata\":{\"annotations\":{\"quotient.dev/licenses\":null}}}",
            null,
            "quotient.dev/*",
            false),
        new Rejection(
            "renames the pod",
            "{\"metadata\":{\"name\":\"other\"}}",
            null,
            "name, namespace or owner",
            false),
        new Rejection(
            "drops the owner", "{\"metadata\":{\"ownerReferences\":[]}}", null, "owner", false),
        new Rejection(
            "deletes the project container",
            "{\"spec\":{\"containers\":[{\"name\":\"project\",\"$patch\":\"delete\"}]}}",
            null,
            "may not remove the 'project' container",
            false),
        new Rejection(
            "array instead of object",
            "[{\"spec\":{}}]",
            null,
            "podPatch must be an object",
            false),
        new Rejection(
            "string instead of object",
            "\"privileged\"",
            null,
            "podPatch must be an object",
            false),
        new Rejection(
            "list item without its merge key",
            "{\"spec\":{\"containers\":[{\"image\":\"x\"}]}}",
            null,
            "merge key 'name'",
            false),
        new Rejection(
            "field of the wrong type",
            "{\"spec\":{\"containers\":\"project\"}}",
            null,
            "not a valid Pod",
            false),
        new Rejection(
            "JSON patch to a missing path",
            null,
            "[{\"op\":\"replace\",\"path\":\"/spec/nope/0\",\"value\":1}]",
            "patch does not apply",
            false),
        new Rejection(
            "JSON patch test fails",
            null,
            "[{\"op\":\"test\",\"path\":\"/metadata/name\",\"value\":\"other\"}]",
            "patch does not apply",
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejectedPatches")
  void patchIsRejectedAndThePodStaysIntact(Rejection r) {
    Q q = new Q().patch("good-before", "{\"metadata\":{\"labels\":{\"before\":\"yes\"}}}");
    q.patches.add(
        new LicensePatch(
            "bad",
            r.strategicMerge() == null ? null : json(r.strategicMerge()),
            r.jsonPatch() == null ? null : json(r.jsonPatch())));
    q.patch("good-after", "{\"metadata\":{\"labels\":{\"after\":\"yes\"}}}");
    PodPlan plan = plan(settings(), q.build());

    assertThat(plan.rejectedPatches())
        .singleElement()
        .satisfies(
            rej -> {
              assertThat(rej.license()).isEqualTo("bad");
              assertThat(rej.reason()).contains(r.reason());
            });
    Pod expected =
        pod(
            new Q()
                .patch("good-before", "{\"metadata\":{\"labels\":{\"before\":\"yes\"}}}")
                .patch("good-after", "{\"metadata\":{\"labels\":{\"after\":\"yes\"}}}")
                .build());
    assertThat(asJson(plan.pod()))
        .as("the other licenses' patches apply, the rejected one leaves no trace")
        .isEqualTo(asJson(expected));
    assertThat(RestrictedProfile.violations(plan.pod())).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejectedPatches")
  void allowPrivilegedPatchesLiftsOnlyTheSecurityProfile(Rejection r) {
    Q q = new Q();
    q.patches.add(
        new LicensePatch(
            "bad",
            r.strategicMerge() == null ? null : json(r.strategicMerge()),
            r.jsonPatch() == null ? null : json(r.jsonPatch())));
    PodPlan plan = plan(settings("allowPrivilegedPatches", "true"), q.build());
    if (r.allowedWhenPrivileged()) {
      assertThat(plan.rejectedPatches()).isEmpty();
      assertThat(asJson(plan.pod())).isNotEqualTo(asJson(pod(new Q().build())));
      assertThat(RestrictedProfile.violations(plan.pod())).isNotEmpty();
    } else {
      assertThat(plan.rejectedPatches())
          .singleElement()
          .satisfies(rej -> assertThat(rej.reason()).contains(r.reason()));
      assertThat(asJson(plan.pod())).isEqualTo(asJson(pod(new Q().build())));
    }
  }

  @Test
  void nullPatchesChangeNothing() {
    Q q = new Q();
    q.patches.add(new LicensePatch("empty", null, null));
    q.patches.add(new LicensePatch("nulls", json("null"), json("null")));
    assertThat(asJson(pod(q.build()))).isEqualTo(asJson(pod(new Q().build())));
  }
}
