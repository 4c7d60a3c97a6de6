package dev.quotient.pod;

import dev.quotient.api.License;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectSpec;
import dev.quotient.quota.EffectiveQuota;
import dev.quotient.quota.InvalidQuantityException;
import dev.quotient.quota.LabelSelectors;
import dev.quotient.quota.LicensePatch;
import dev.quotient.quota.LicenseWindow;
import dev.quotient.quota.Resources;
import dev.quotient.quota.Upgrade;
import dev.quotient.settings.PodSettings;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a License the way a project start would use it: quantities, window and pod patches (tried
 * on a sample project pod), so admins see a broken license before users do.
 */
public final class LicenseValidation {
  private LicenseValidation() {}

  public static List<String> problems(License license, PodSettings pod, String defaultGpuResource) {
    List<String> out = new ArrayList<>();
    if (license.getSpec() == null) {
      out.add("spec is missing");
      return out;
    }
    if (license.getSpec().problem() != null) {
      out.add(license.getSpec().problem());
      return out;
    }
    try {
      LicenseWindow.of(license.getSpec());
    } catch (InvalidQuantityException e) {
      out.add(e.getMessage());
    }
    out.addAll(
        LabelSelectors.problems(
            "spec.allowedNamespaces", license.getSpec().getAllowedNamespaces()));
    Upgrade upgrade = Upgrade.NONE;
    try {
      upgrade = Upgrade.parse("spec.quota", license.getSpec().getQuota(), defaultGpuResource);
    } catch (InvalidQuantityException e) {
      out.add(e.getMessage());
    }
    if (license.getSpec().getRunLimit() == null || license.getSpec().getRunLimit() < 1) {
      out.add("spec.runLimit must be at least 1");
    }
    if (license.getSpec().getPodPatch() != null || license.getSpec().getPodJsonPatch() != null) {
      Project sample = new Project();
      sample.setMetadata(
          new ObjectMetaBuilder()
              .withName("sample")
              .withNamespace("sample")
              .withUid("00000000-0000-0000-0000-000000000000")
              .build());
      sample.setSpec(new ProjectSpec());
      String name = license.getMetadata().getName();
      LicensePatch patch =
          new LicensePatch(
              name,
              license.getSpec().getPodPatch(),
              license.getSpec().getPodJsonPatch() == null
                  ? null
                  : new com.fasterxml.jackson.databind.node.ArrayNode(
                      com.fasterxml.jackson.databind.node.JsonNodeFactory.instance,
                      license.getSpec().getPodJsonPatch()));
      EffectiveQuota quota =
          new EffectiveQuota(
              new Resources(1000, 1L << 30, upgrade.hasGpu() ? upgrade.gpu() : 0),
              new Resources(100, 1L << 28, upgrade.hasGpu() ? upgrade.gpu() : 0),
              0,
              upgrade.hasGpu() ? upgrade.gpuResource() : null,
              Map.of(),
              List.of(),
              false,
              null,
              null,
              null,
              upgrade.nodeGroups(),
              List.of(name),
              List.of(patch),
              null,
              null);
      new ProjectPodFactory(pod)
          .desiredPod(sample, quota)
          .rejectedPatches()
          .forEach(r -> out.add("pod patch not usable: " + r.reason()));
    }
    return out;
  }
}
