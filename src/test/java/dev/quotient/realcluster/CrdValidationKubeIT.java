package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.admin;
import static dev.quotient.realcluster.RealCluster.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

/**
 * The API server enforces the CRDs' OpenAPI schema and CEL rules (the mock enforces nothing): a bad
 * object is refused with 422 and the schema's own message, a good one is stored.
 */
class CrdValidationKubeIT {
  private static KubernetesClientException refused(String yaml) {
    return catchThrowableOfType(
        KubernetesClientException.class, () -> admin().resource(yaml).create());
  }

  private static String license(String name, String spec) {
    return """
        apiVersion: quotient.dev/v1alpha1
        kind: License
        metadata:
          name: %s
        spec:
        %s
        """
        .formatted(name, spec.indent(2));
  }

  @Test
  void aValidLicenseIsStored() {
    String name = unique("valid");
    admin()
        .resource(
            license(
                name,
                """
        runLimit: 1
        activates: "2026-01-01T00:00:00Z"
        expires: "2027-01-01T00:00:00Z"
        quota: {cpu: 1500m, memory: 2Gi, idleTimeout: 2h}
        """))
        .create();
    assertThat(RealCluster.license(name).getSpec().getQuota().getCpu()).isEqualTo("1500m");
  }

  @Test
  void badQuantityIsRefusedWithTheSchemaPattern() {
    String name = unique("bad-quantity");
    KubernetesClientException e =
        refused(
            license(
                name,
                """
        runLimit: 1
        quota: {cpu: two}
        """));
    assertThat(e.getCode()).isEqualTo(422);
    assertThat(e.getStatus().getMessage())
        .contains("License.quotient.dev \"" + name + "\" is invalid")
        .contains("spec.quota.cpu: Invalid value: \"two\"")
        .contains("should match '^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)");
  }

  @Test
  void runLimitZeroIsRefused() {
    KubernetesClientException e =
        refused(
            license(
                unique("zero-runs"),
                """
        runLimit: 0
        quota: {cpu: "1"}
        """));
    assertThat(e.getCode()).isEqualTo(422);
    assertThat(e.getStatus().getMessage())
        .contains(
            "spec.runLimit: Invalid value: 0: spec.runLimit in body should be greater than or equal to 1");
  }

  @Test
  void expiresBeforeActivatesIsRefusedByTheCelRule() {
    String name = unique("backwards");
    KubernetesClientException e =
        refused(
            license(
                name,
                """
        runLimit: 1
        activates: "2026-06-01T00:00:00Z"
        expires: "2026-01-01T00:00:00Z"
        """));
    assertThat(e.getCode()).isEqualTo(422);
    assertThat(e.getStatus().getMessage())
        .isEqualTo(
            "License.quotient.dev \""
                + name
                + "\" is invalid: spec: Invalid value: expires must be after activates");
  }

  @Test
  void unknownDesiredStateIsRefusedWithTheSupportedValues() {
    String ns = RealCluster.namespace("crd-enum");
    KubernetesClientException e =
        refused(
            """
        apiVersion: quotient.dev/v1alpha1
        kind: Project
        metadata: {name: paused, namespace: %s}
        spec: {desiredState: Paused}
        """
                .formatted(ns));
    assertThat(e.getCode()).isEqualTo(422);
    assertThat(e.getStatus().getMessage())
        .contains(
            "spec.desiredState: Unsupported value: \"Paused\": supported values: \"Running\", \"Stopped\"");
  }
}
