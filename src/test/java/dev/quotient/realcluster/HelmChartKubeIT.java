package dev.quotient.realcluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import dev.quotient.local.Kubectl;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What {@code helm install} would send, checked by the real API server (server-side dry run): every
 * rendered object passes its schema, and the API server compiles the admission policies' CEL as the
 * chart renders it (the unit tests only render and lint).
 */
class HelmChartKubeIT {

  @Test
  void everyObjectTheChartRendersIsAcceptedByTheApiServer() throws Exception {
    String namespace = RealCluster.namespace("helm");
    String rendered =
        new Helm(Path.of("helm/quotient"))
            .template()
            .withName("quotient-dry")
            .withNamespace(namespace)
            .withKubeVersion("1.32.0")
            .set("metrics.serviceMonitor.enabled", "false")
            .call();
    Path file = Files.createTempFile("quotient-chart", ".yaml");
    Files.writeString(file, rendered);
    Kubectl kubectl = RealCluster.kubectl();
    Kubectl.Result result = kubectl.run("apply", "--dry-run=server", "-f", file.toString());
    assertThat(result.exitCode()).as(result.stderr() + result.stdout()).isZero();
    // (helm template leaves crds/ out; they are byte-identical to crds/, which every test
    // installs.)
    assertThat(result.stdout())
        .contains("clusterrole.rbac.authorization.k8s.io/")
        .contains("validatingadmissionpolicy.admissionregistration.k8s.io/")
        .contains("validatingadmissionpolicybinding.admissionregistration.k8s.io/")
        .contains("deployment.apps/")
        .contains("configmap/");
    assertThat(result.stderr()).doesNotContain("Warning");
  }
}
