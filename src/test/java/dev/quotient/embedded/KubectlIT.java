package dev.quotient.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.local.KubeBinaries;
import dev.quotient.local.Kubectl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's kubectl commands against the embedded run, with the kubectl hack/kube/build.sh
 * built: discovery, the Table view with the CRDs' printer columns, describe with Events, explain
 * from OpenAPI v3, apply of examples/.
 */
class KubectlIT {
  private static EmbeddedRun run;
  private static Kubectl kubectl;

  @BeforeAll
  static void start() throws Exception {
    Path kubectlBinary = KubeBinaries.locate().verified().kubectl();
    run =
        EmbeddedRun.start(0, EmbeddedRun.SETTINGS, Duration.ofMillis(200), Duration.ofMillis(100));
    run.apply(Path.of("examples"));
    run.awaitSettled(Duration.ofSeconds(30));
    Path kubeconfig =
        run.api()
            .writeKubeconfig(
                Files.createTempDirectory("quotient-kubectl-it").resolve("kubeconfig"));
    kubectl = new Kubectl(kubectlBinary, kubeconfig);
  }

  @AfterAll
  static void stop() {
    if (run != null) {
      run.close();
    }
  }

  @Test
  void getProjectsInAllNamespacesPrintsTheCrdsColumns() {
    List<String> lines = kubectl.run("get", "projects", "-A").orThrow().stdout().lines().toList();
    assertThat(lines.get(0).split("\\s+"))
        .containsExactly(
            "NAMESPACE", "NAME", "PHASE", "CPU", "MEMORY", "GPU", "NODE", "AGE", "MESSAGE");
    assertThat(lines).hasSize(10);
    assertThat(lines.get(1)).startsWith("course").contains("student-1");
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("research")
                    .contains("physics-sim", "Running", "32Gi", "physics-1"));
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains(
                        "WaitingForResources",
                        "Waiting for resources: namespace quota course/compute"));
  }

  @Test
  void getLicensesWideAddsThePriorityColumns() {
    List<String> lines =
        kubectl.run("get", "licenses", "-o", "wide").orThrow().stdout().lines().toList();
    assertThat(lines.get(0).split("\\s+"))
        .containsExactly("NAME", "TITLE", "PHASE", "RUNNING", "LIMIT", "EXPIRES", "AGE");
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("course-2026")
                    .contains("Data science course 2026", "Active"));
    assertThat(kubectl.run("get", "lic").orThrow().stdout().lines().findFirst().orElseThrow())
        .doesNotContain("TITLE");
  }

  @Test
  void categoryAndShortNamesComeFromTheCrds() {
    assertThat(
            kubectl
                .run("api-resources", "--categories=quotient", "-o", "name")
                .orThrow()
                .stdout()
                .lines())
        .containsExactlyInAnyOrder(
            "dedicatednodegroups.quotient.dev", "licenses.quotient.dev", "projects.quotient.dev");
    assertThat(kubectl.run("get", "dng").orThrow().stdout()).contains("physics");
  }

  @Test
  void describeShowsTheStatusAndTheProjectsOwnEvents() {
    String waiting =
        run
            .client()
            .resources(dev.quotient.api.Project.class)
            .inNamespace("course")
            .list()
            .getItems()
            .stream()
            .filter(
                p -> p.getStatus().getPhase() == dev.quotient.api.ProjectPhase.WaitingForResources)
            .findFirst()
            .orElseThrow()
            .getMetadata()
            .getName();
    String out = kubectl.run("describe", "project", waiting, "-n", "course").orThrow().stdout();
    assertThat(out)
        .contains("Name:         " + waiting)
        .contains("Kind:         Project")
        .containsPattern("Phase:\\s+WaitingForResources")
        .containsPattern("Queue Position:\\s+1")
        .containsPattern(
            "Warning\\s+QuotaRejected\\s+\\S+\\s+quotient-operator\\s+namespace quota course/compute");
    // Only this project's Events: the other students' PodCreated are not listed.
    assertThat(out).doesNotContain("PodCreated");
  }

  @Test
  void explainReadsTheCrdSchema() {
    String out = kubectl.run("explain", "project.spec").orThrow().stdout();
    assertThat(out)
        .contains("KIND:       Project")
        .contains("GROUP:      quotient.dev")
        .contains("desiredState\t<string>")
        .contains("enum: Running, Stopped")
        .contains("licenses\t<[]string>");
  }

  @Test
  void applyOfTheExamplesPatchesWhatIsThereThenChangesNothing() {
    Kubectl.Result first = kubectl.run("apply", "-f", "examples/").orThrow();
    assertThat(first.stdout())
        .contains(
            "namespace/course configured",
            "resourcequota/compute configured",
            "license.quotient.dev/course-2026 configured",
            "project.quotient.dev/student-3 configured");
    Kubectl.Result second = kubectl.run("apply", "-f", "examples/").orThrow();
    assertThat(second.stdout().lines())
        .hasSize(19)
        .allSatisfy(l -> assertThat(l).endsWith(" unchanged"));
    assertThat(second.stderr()).isEmpty();
    assertThat(
            run.client()
                .resourceQuotas()
                .inNamespace("course")
                .withName("compute")
                .get()
                .getSpec()
                .getHard())
        .containsKey("requests.memory");
  }
}
