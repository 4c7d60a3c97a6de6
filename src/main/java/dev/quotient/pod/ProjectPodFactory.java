package dev.quotient.pod;

import static dev.quotient.api.QuotientLabels.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.quotient.api.Project;
import dev.quotient.quota.EffectiveQuota;
import dev.quotient.quota.LicensePatch;
import dev.quotient.quota.Quantities;
import dev.quotient.settings.PodSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.zjsonpatch.JsonPatch;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * (Project, EffectiveQuota, PodSettings) -> the project pod: limits and requests, GPUs, placement
 * (including the toleration of the GPU resource's taint), home volume, restricted security context,
 * the labels that let the operator rebuild its state from pods, then each license's pod patch.
 */
public final class ProjectPodFactory {
  private static final ObjectMapper JSON =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
  private static final int MAX_LABEL_VALUE = 63;

  private final PodSettings settings;

  public ProjectPodFactory(PodSettings settings) {
    this.settings = Objects.requireNonNull(settings);
  }

  /** Pod name of a project: stable, so a second create for the same project fails with 409. */
  public static String podName(String projectName) {
    String name = "project-" + projectName;
    // 236 + "-" + 16 hex digits = 253, the longest name the API server accepts
    return name.length() <= 253
        ? name
        : name.substring(0, 236).replaceAll("[.-]+$", "") + "-" + hash(projectName);
  }

  public static String projectId(Project project) {
    String id = project.getSpec() == null ? null : project.getSpec().getProjectId();
    return id == null || id.isBlank() ? project.getMetadata().getUid() : id;
  }

  public PodPlan desiredPod(Project project, EffectiveQuota quota) {
    Pod base = basePod(project, quota);
    List<PatchRejection> rejected = new ArrayList<>();
    Pod current = base;
    for (LicensePatch patch : quota.podPatches()) {
      try {
        Pod patched = applyPatch(current, patch);
        List<String> problems = new ArrayList<>(protectedFieldsChanged(current, patched));
        problems.addAll(PatchedPodChecks.placementChanged(current, patched));
        problems.addAll(PatchedPodChecks.imagesNotAllowed(patched, settings));
        problems.addAll(PatchedPodChecks.requestsBeyondLease(patched, container(base)));
        if (!settings.allowPrivilegedPatches()) {
          problems.addAll(RestrictedProfile.violations(patched));
        }
        if (problems.isEmpty()) {
          current = patched;
        } else {
          rejected.add(new PatchRejection(patch.license(), String.join("; ", problems)));
        }
      } catch (RuntimeException e) {
        rejected.add(
            new PatchRejection(patch.license(), "patch does not apply: " + e.getMessage()));
      }
    }
    // After the patches, which may pick another allowed image: the label names what runs.
    Container running = container(current);
    current =
        new PodBuilder(current)
            .editMetadata()
            .addToLabels(IMAGE_TAG, imageTag(running == null ? null : running.getImage()))
            .endMetadata()
            .build();
    return new PodPlan(current, rejected);
  }

  /**
   * The tag of an image reference as a label value: {@code latest} when it names none; for a
   * reference by digest only, {@code sha256-} and the digest's first 12 hex digits.
   */
  public static String imageTag(String image) {
    if (image == null || image.isBlank()) {
      return "latest";
    }
    String ref = image;
    String digest = null;
    int at = image.indexOf('@');
    if (at >= 0) {
      ref = image.substring(0, at);
      digest = image.substring(at + 1);
    }
    int colon = ref.lastIndexOf(':');
    if (colon > ref.lastIndexOf('/') && colon < ref.length() - 1) {
      return labelValue(ref.substring(colon + 1));
    }
    if (digest != null) {
      String hex = digest.substring(digest.indexOf(':') + 1);
      String algo = digest.contains(":") ? digest.substring(0, digest.indexOf(':')) : "digest";
      return labelValue(algo + "-" + hex.substring(0, Math.min(12, hex.length())));
    }
    return "latest";
  }

  private Pod basePod(Project project, EffectiveQuota quota) {
    String name = project.getMetadata().getName();
    String id = projectId(project);
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(APP_NAME, APP_NAME_VALUE);
    labels.put(MANAGED_BY, MANAGED_BY_VALUE);
    labels.put(PROJECT, labelValue(name));
    if (id != null) {
      labels.put(PROJECT_ID, labelValue(id));
    }
    labels.put(CPU_MILLIS, Long.toString(quota.requests().cpuMillis()));
    labels.put(MEMORY_BYTES, Long.toString(quota.requests().memoryBytes()));
    labels.put(GPU, Long.toString(quota.requests().gpu()));
    labels.put(CPU_LIMIT_MILLIS, Long.toString(quota.limits().cpuMillis()));
    labels.put(MEMORY_LIMIT_BYTES, Long.toString(quota.limits().memoryBytes()));
    String group = quota.nodeGroups().isEmpty() ? null : quota.nodeGroups().get(0);
    if (group != null) {
      labels.put(NODE_GROUP, labelValue(group));
    }
    boolean run = project.getSpec() != null && project.getSpec().isEphemeral();
    if (run) {
      labels.put(LIFETIME, dev.quotient.api.Lifetime.Ephemeral.name());
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(LICENSES, String.join(",", quota.appliedLicenses()));
    List<String> requested =
        project.getSpec() == null || project.getSpec().getLicenses() == null
            ? List.of()
            : project.getSpec().getLicenses();
    annotations.put(REQUESTED_LICENSES, String.join(",", requested));

    Map<String, Quantity> limits = new LinkedHashMap<>();
    Map<String, Quantity> requests = new LinkedHashMap<>();
    limits.put("cpu", new Quantity(Quantities.formatCpu(quota.limits().cpuMillis())));
    limits.put("memory", new Quantity(Quantities.formatBytes(quota.limits().memoryBytes())));
    requests.put("cpu", new Quantity(Quantities.formatCpu(quota.requests().cpuMillis())));
    requests.put("memory", new Quantity(Quantities.formatBytes(quota.requests().memoryBytes())));
    if (quota.ephemeralStorageBytes() > 0) {
      limits.put(
          "ephemeral-storage", new Quantity(Quantities.formatBytes(quota.ephemeralStorageBytes())));
    }
    if (quota.limits().gpu() > 0) {
      limits.put(quota.gpuResource(), new Quantity(Long.toString(quota.limits().gpu())));
      requests.put(quota.gpuResource(), new Quantity(Long.toString(quota.requests().gpu())));
    }

    Map<String, String> nodeSelector = new LinkedHashMap<>();
    LinkedHashSet<Toleration> tolerations = new LinkedHashSet<>();
    if (group == null && quota.gpuNodeSelector().isEmpty()) {
      nodeSelector.putAll(settings.projectNodeSelector());
    }
    if (group == null) {
      tolerations.addAll(settings.projectTolerations());
    } else {
      tolerations.add(
          new TolerationBuilder()
              .withKey(settings.nodeGroupKey())
              .withOperator("Equal")
              .withValue(group)
              .withEffect("NoSchedule")
              .build());
    }
    nodeSelector.putAll(quota.gpuNodeSelector());
    tolerations.addAll(quota.gpuTolerations());
    if (settings.tolerateGpuTaint() && quota.limits().gpu() > 0) {
      addGpuTaintToleration(tolerations, quota.gpuResource());
    }

    String home =
        settings.homeSubPath() == null
            ? null
            : settings.homeSubPath().replace("{projectId}", id == null ? name : id);
    Volume homeVolume =
        settings.homeClaimName() == null
            ? new VolumeBuilder().withName("home").withNewEmptyDir().endEmptyDir().build()
            : new VolumeBuilder()
                .withName("home")
                .withNewPersistentVolumeClaim()
                .withClaimName(settings.homeClaimName())
                .endPersistentVolumeClaim()
                .build();
    Container container =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(
                settings.imageFor(project.getSpec() == null ? null : project.getSpec().getImage()))
            .withImagePullPolicy(settings.imagePullPolicy())
            .withCommand(
                nonEmpty(project.getSpec() == null ? null : project.getSpec().getCommand()))
            .withArgs(nonEmpty(project.getSpec() == null ? null : project.getSpec().getArgs()))
            .withEnv(
                new EnvVar("QUOTIENT_PROJECT", name, null),
                new EnvVar("QUOTIENT_PROJECT_ID", id, null),
                new EnvVar("HOME", settings.homeMountPath(), null))
            .withNewResources()
            .withLimits(limits)
            .withRequests(requests)
            .endResources()
            .addNewVolumeMount()
            .withName("home")
            .withMountPath(settings.homeMountPath())
            .withSubPath(settings.homeClaimName() == null ? null : home)
            .endVolumeMount()
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withRunAsNonRoot(true)
            .withRunAsUser(settings.uid())
            .withRunAsGroup(settings.gid())
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .build();

    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(podName(name))
            .withNamespace(project.getMetadata().getNamespace())
            .withLabels(labels)
            .withAnnotations(annotations)
            .addNewOwnerReference()
            .withApiVersion(project.getApiVersion())
            .withKind(project.getKind())
            .withName(name)
            .withUid(project.getMetadata().getUid())
            .withController(true)
            .withBlockOwnerDeletion(true)
            .endOwnerReference()
            .endMetadata()
            .withNewSpec()
            // A run's container runs once: its exit is the run's result, never restarted.
            .withRestartPolicy(run ? "Never" : "Always")
            .withAutomountServiceAccountToken(false)
            .withEnableServiceLinks(false)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(settings.uid())
            .withRunAsGroup(settings.gid())
            .withFsGroup(settings.gid())
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .withNodeSelector(nodeSelector.isEmpty() ? null : nodeSelector)
            .withTolerations(new ArrayList<>(tolerations))
            .withContainers(container)
            .withVolumes(homeVolume)
            .endSpec();
    if (group != null) {
      pod.editSpec()
          .withNewAffinity()
          .withNewNodeAffinity()
          .withNewRequiredDuringSchedulingIgnoredDuringExecution()
          .addNewNodeSelectorTerm()
          .withMatchExpressions(
              new NodeSelectorRequirementBuilder()
                  .withKey(settings.nodeGroupKey())
                  .withOperator("In")
                  .withValues(group)
                  .build())
          .endNodeSelectorTerm()
          .endRequiredDuringSchedulingIgnoredDuringExecution()
          .endNodeAffinity()
          .endAffinity()
          .endSpec();
    }
    return pod.build();
  }

  /**
   * GPU nodes are tainted with their resource's name (e.g. {@code
   * nvidia.com/gpu=present:NoSchedule}) so that only pods that use the GPUs land there. Clusters
   * with Kubernetes' ExtendedResourceToleration admission plugin add the matching toleration to
   * every pod that requests the resource; most do not enable it, so the operator adds it itself,
   * unless a license already names the same one.
   */
  private static void addGpuTaintToleration(Set<Toleration> tolerations, String gpuResource) {
    Toleration gpuTaint =
        new TolerationBuilder()
            .withKey(gpuResource)
            .withOperator("Exists")
            .withEffect("NoSchedule")
            .build();
    if (tolerations.stream().noneMatch(t -> sameToleration(t, gpuTaint))) {
      tolerations.add(gpuTaint);
    }
  }

  /** Equal as Kubernetes matches tolerations: key, operator, value and effect. */
  private static boolean sameToleration(Toleration a, Toleration b) {
    return Objects.equals(a.getKey(), b.getKey())
        && Objects.equals(a.getOperator(), b.getOperator())
        && Objects.equals(blankToNull(a.getValue()), blankToNull(b.getValue()))
        && Objects.equals(a.getEffect(), b.getEffect());
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static Pod applyPatch(Pod pod, LicensePatch patch) {
    JsonNode json = JSON.valueToTree(pod);
    if (patch.strategicMerge() != null && !patch.strategicMerge().isNull()) {
      json = StrategicMergePatch.apply(json, patch.strategicMerge());
    }
    if (patch.jsonPatch() != null && !patch.jsonPatch().isNull()) {
      json = JsonPatch.apply(patch.jsonPatch(), json);
    }
    try {
      return JSON.treeToValue(json, Pod.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(
          "the patched pod is not a valid Pod: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Identity, ledger labels and the project container's resources are the operator's, not a
   * patch's.
   */
  private static List<String> protectedFieldsChanged(Pod before, Pod after) {
    List<String> out = new ArrayList<>();
    if (!Objects.equals(before.getMetadata().getName(), after.getMetadata().getName())
        || !Objects.equals(before.getMetadata().getNamespace(), after.getMetadata().getNamespace())
        || !Objects.equals(
            before.getMetadata().getOwnerReferences(), after.getMetadata().getOwnerReferences())) {
      out.add("a pod patch may not change the pod's name, namespace or owner");
    }
    Map<String, String> bl = before.getMetadata().getLabels();
    Map<String, String> al =
        after.getMetadata().getLabels() == null ? Map.of() : after.getMetadata().getLabels();
    Map<String, String> ba = before.getMetadata().getAnnotations();
    Map<String, String> aa =
        after.getMetadata().getAnnotations() == null
            ? Map.of()
            : after.getMetadata().getAnnotations();
    if (changedPrefixed(bl, al) || changedPrefixed(ba, aa)) {
      out.add("a pod patch may not set or change " + PREFIX + "* labels or annotations");
    }
    if (!Objects.equals(before.getSpec().getRestartPolicy(), after.getSpec().getRestartPolicy())) {
      out.add(
          "a pod patch may not change restartPolicy (a workspace restarts, an ephemeral run never does)");
    }
    Container b = container(before);
    Container a = container(after);
    if (a == null) {
      out.add("a pod patch may not remove the '" + CONTAINER + "' container");
    } else if (!Objects.equals(b.getResources(), a.getResources())) {
      out.add(
          "a pod patch may not change the project container's resources; set them in the license quota");
    }
    return out;
  }

  /** A list as the pod spec takes it: null (the image's own) when empty. */
  private static List<String> nonEmpty(List<String> values) {
    return values == null || values.isEmpty() ? null : List.copyOf(values);
  }

  private static boolean changedPrefixed(Map<String, String> before, Map<String, String> after) {
    for (String k :
        new LinkedHashSet<String>() {
          {
            addAll(before.keySet());
            addAll(after.keySet());
          }
        }) {
      if (k.startsWith(PREFIX) && !Objects.equals(before.get(k), after.get(k))) {
        return true;
      }
    }
    return false;
  }

  static Container container(Pod pod) {
    return pod.getSpec().getContainers().stream()
        .filter(c -> CONTAINER.equals(c.getName()))
        .findFirst()
        .orElse(null);
  }

  /** A valid label value: the text itself when it fits, else a prefix plus a hash. */
  static String labelValue(String text) {
    if (text.length() <= MAX_LABEL_VALUE
        && text.matches("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")) {
      return text;
    }
    String clean = text.replaceAll("[^-A-Za-z0-9_.]", "-");
    String prefix =
        clean
            .substring(0, Math.min(clean.length(), 40))
            .replaceAll("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "");
    return (prefix.isEmpty() ? "" : prefix + "-") + hash(text);
  }

  private static String hash(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
