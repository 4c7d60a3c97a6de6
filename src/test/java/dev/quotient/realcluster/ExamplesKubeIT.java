package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.admin;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.LicenseState;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.local.Kubectl;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl apply -f examples/} against the real API server: every object passes its schema,
 * and the projects reach the phases and nodes the README promises.
 */
class ExamplesKubeIT {
  private static Kubectl.Result applied;

  @BeforeAll
  static void apply() {
    applied = RealCluster.kubectl().run("apply", "-f", "examples/");
  }

  private static Project running(String name) {
    return RealCluster.awaitPhase("research", name, ProjectPhase.Running);
  }

  @Test
  void everyExampleIsAccepted() {
    assertThat(applied.exitCode()).as(applied.stderr()).isZero();
    assertThat(applied.stderr()).doesNotContain("rror");
    assertThat(applied.stdout().lines())
        .hasSize(19)
        .allMatch(
            l -> l.matches("[a-z.]+/[a-z0-9-]+ (created|configured|unchanged)"),
            "created, configured or unchanged");
  }

  @Test
  void plainProjectGetsTheDefaultQuotaOnAPoolNode() {
    Project p = running("plain");
    assertThat(p.getStatus().getEffectiveQuota().getCpuLimit()).isEqualTo("1");
    assertThat(p.getStatus().getEffectiveQuota().getMemoryLimit()).isEqualTo("1Gi");
    assertThat(p.getStatus().getNodeName()).startsWith("pool-");
  }

  @Test
  void twoLicensesAddUp() {
    Project p = running("two-licenses");
    assertThat(p.getStatus().getEffectiveQuota().getCpuLimit()).isEqualTo("2");
    assertThat(p.getStatus().getEffectiveQuota().getMemoryLimit()).isEqualTo("8Gi");
    assertThat(
            RealCluster.pod("research", "two-licenses")
                .getSpec()
                .getContainers()
                .get(0)
                .getResources()
                .getRequests()
                .get("memory"))
        .hasToString("1639Mi");
  }

  @Test
  void expiredLicenseUpgradesNothingAndSaysSo() {
    Project p = running("expired-course");
    assertThat(p.getStatus().getEffectiveQuota().getCpuLimit()).isEqualTo("1");
    assertThat(p.getStatus().getLicenses())
        .singleElement()
        .satisfies(l -> assertThat(l.getState()).isEqualTo(LicenseState.Expired));
  }

  @Test
  void dedicatedProjectRunsOnThePhysicsNode() {
    assertThat(running("physics-sim").getStatus().getNodeName()).isEqualTo("physics-1");
  }

  @Test
  void gpuProjectRunsOnTheGpuNode() {
    Project p = running("gpu-training");
    assertThat(p.getStatus().getNodeName()).isEqualTo("gpu-1");
    assertThat(p.getStatus().getEffectiveQuota().getGpu()).isEqualTo(1);
  }

  @Test
  void courseNamespaceQuotaAdmitsTwoStudentsAndQueuesTheThird() {
    List<Project> students =
        RealCluster.awaitProjects(
            "course",
            list ->
                list.size() == 3
                    && list.stream()
                            .filter(
                                p ->
                                    p.getStatus() != null
                                        && p.getStatus().getPhase() == ProjectPhase.Running)
                            .count()
                        == 2
                    && list.stream()
                        .anyMatch(
                            p ->
                                p.getStatus() != null
                                    && p.getStatus().getPhase()
                                        == ProjectPhase.WaitingForResources));
    Project waiting =
        students.stream()
            .filter(p -> p.getStatus().getPhase() == ProjectPhase.WaitingForResources)
            .findFirst()
            .orElseThrow();
    assertThat(waiting.getStatus().getMessage())
        .isEqualTo(
            "Waiting for resources: namespace quota course/compute: requests.memory needs 410Mi, 204Mi of 1Gi free");
    // The API server's own ResourceQuota accounting agrees: two pods of 410Mi each.
    assertThat(
            admin()
                .resourceQuotas()
                .inNamespace("course")
                .withName("compute")
                .get()
                .getStatus()
                .getUsed())
        .containsEntry("requests.memory", new io.fabric8.kubernetes.api.model.Quantity("820Mi"));
  }

  /**
   * The dashboard of the operator (on in the shared control plane's run) reads the waiting
   * student's rejection from its labelled Event: the label selector and the RBAC to watch Events
   * work on a real API server.
   */
  @Test
  void theDashboardShowsTheWaitingStudentsRejection() throws Exception {
    Project waiting =
        RealCluster.awaitProjects(
                "course",
                list ->
                    list.stream()
                        .anyMatch(
                            p ->
                                p.getStatus() != null
                                    && p.getStatus().getPhase()
                                        == ProjectPhase.WaitingForResources))
            .stream()
            .filter(
                p ->
                    p.getStatus() != null
                        && p.getStatus().getPhase() == ProjectPhase.WaitingForResources)
            .findFirst()
            .orElseThrow();
    String url =
        "http://127.0.0.1:" + RealCluster.get().operator().dashboardPort() + "/api/rejections";
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    long deadline = System.nanoTime() + RealCluster.TIMEOUT.toNanos();
    while (true) {
      String body =
          http.send(
                  java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      com.fasterxml.jackson.databind.JsonNode items =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("items");
      boolean shown = false;
      for (com.fasterxml.jackson.databind.JsonNode item : items) {
        shown |=
            item.path("namespace").asText().equals("course")
                && item.path("project").asText().equals(waiting.getMetadata().getName())
                && item.path("resource").asText().equals("namespace-quota");
      }
      if (shown) {
        return;
      }
      assertThat(System.nanoTime())
          .as("the rejection of " + waiting.getMetadata().getName() + " in " + body)
          .isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  @Test
  void theAgentRunSucceedsAndGivesBackItsPod() {
    Project run = RealCluster.awaitPhase("research", "nightly-eval", ProjectPhase.Succeeded);
    assertThat(run.getStatus().getExitCode()).isZero();
    org.awaitility.Awaitility.await()
        .atMost(RealCluster.TIMEOUT)
        .until(() -> RealCluster.pod("research", "nightly-eval") == null);
  }
}
