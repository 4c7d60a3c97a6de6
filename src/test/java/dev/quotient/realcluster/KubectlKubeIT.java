package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.admin;
import static dev.quotient.realcluster.RealCluster.kubectl;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.ProjectPhase;
import dev.quotient.local.Kubectl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a user sees with the kubectl built from the same Kubernetes release (discovery, OpenAPI,
 * printer columns).
 */
class KubectlKubeIT {
  private static String ns;

  @BeforeAll
  static void runningProject() {
    ns = RealCluster.namespace("kubectl");
    admin()
        .resource(
            """
        apiVersion: quotient.dev/v1alpha1
        kind: Project
        metadata: {name: notebook, namespace: %s}
        spec: {desiredState: Running}
        """
                .formatted(ns))
        .create();
    RealCluster.awaitPhase(ns, "notebook", ProjectPhase.Running);
  }

  @Test
  void getProjectsPrintsTheCrdsColumns() {
    Kubectl.Result r = kubectl().run("get", "projects", "-n", ns).orThrow();
    String[] lines = r.stdout().split("\n");
    assertThat(lines[0]).startsWith("NAME").contains("PHASE");
    assertThat(lines).hasSize(2);
    assertThat(lines[1]).startsWith("notebook").contains("Running");
    String node = RealCluster.project(ns, "notebook").getStatus().getNodeName();
    assertThat(kubectl().run("get", "proj", "-n", ns, "-o", "wide").orThrow().stdout())
        .contains(node);
  }

  @Test
  void categoryListsAllThreeKinds() {
    Kubectl.Result r =
        kubectl().run("api-resources", "--categories=quotient", "-o", "name").orThrow();
    assertThat(r.stdout().lines())
        .containsExactlyInAnyOrder(
            "dedicatednodegroups.quotient.dev", "licenses.quotient.dev", "projects.quotient.dev");
  }

  @Test
  void describeShowsTheStatus() {
    Kubectl.Result r = kubectl().run("describe", "project", "notebook", "-n", ns).orThrow();
    assertThat(r.stdout())
        .contains("Name:         notebook")
        .contains("Kind:         Project")
        .containsPattern("Phase:\\s+Running")
        .containsPattern("Node Name:\\s+pool-")
        .containsPattern("Effective Quota:");
  }

  @Test
  void explainShowsTheSchemasDescriptions() {
    Kubectl.Result r = kubectl().run("explain", "project.spec").orThrow();
    assertThat(r.stdout())
        .contains("KIND:       Project")
        .contains("GROUP:      quotient.dev")
        .contains("desiredState\t<string>")
        .contains("enum: Running, Stopped")
        .contains("licenses\t<[]string>");
  }
}
