package dev.quotient.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dashboard of the embedded run with examples/: its JSON API, then the page in a browser. */
class DashboardIT {
  private static EmbeddedRun run;
  private static String base;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    run =
        EmbeddedRun.start(0, EmbeddedRun.SETTINGS, Duration.ofMillis(200), Duration.ofMillis(100));
    run.apply(Path.of("examples"));
    run.awaitSettled(Duration.ofSeconds(30));
    base = "http://127.0.0.1:" + run.operator().dashboardPort();
  }

  @AfterAll
  static void stop() {
    run.close();
  }

  static JsonNode json(String path) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }

  @Test
  void theApiShowsTheExamples() throws Exception {
    JsonNode overview = json("/api/overview");
    assertThat(overview.path("running").asInt()).isEqualTo(7);
    assertThat(overview.path("waiting").asInt()).isEqualTo(1);
    assertThat(list(overview.path("namespaces")))
        .singleElement()
        .satisfies(
            ns -> {
              assertThat(ns.path("name").asText()).isEqualTo("course/compute");
              assertThat(list(ns.path("bars")))
                  .extracting(
                      b -> b.path("resource").asText(),
                      b -> b.path("usedText").asText(),
                      b -> b.path("limitText").asText())
                  .containsExactly(
                      org.assertj.core.groups.Tuple.tuple("count/pods", "2", "10"),
                      org.assertj.core.groups.Tuple.tuple("requests.memory", "820Mi", "1Gi"));
            });
    JsonNode running = json("/api/running?sort=gpu&order=desc");
    assertThat(running.path("items").get(0).path("name").asText()).isEqualTo("gpu-training");
    assertThat(running.path("items").get(0).path("node").asText()).isEqualTo("gpu-1");

    JsonNode queue = json("/api/waiting").path("queues").get(0);
    assertThat(queue.path("scope").asText()).isEqualTo("the namespace quota of course");
    assertThat(queue.path("projects").get(0).path("message").asText())
        .isEqualTo(
            "namespace quota course/compute: requests.memory needs 410Mi, 204Mi of 1Gi free");

    assertThat(list(json("/api/licenses")))
        .extracting(l -> l.path("name").asText())
        .contains("course-2026");
    assertThat(list(json("/api/nodegroups")))
        .singleElement()
        .satisfies(g -> assertThat(g.path("nodes").get(0).asText()).isEqualTo("physics-1"));
  }

  @Test
  void rejectionsComeFromTheEventsAndSurviveARestart() throws Exception {
    String waiter =
        json("/api/waiting").path("queues").get(0).path("projects").get(0).path("name").asText();
    awaitRejectionOf(waiter);
    run.restartOperator();
    base = "http://127.0.0.1:" + run.operator().dashboardPort();
    awaitRejectionOf(waiter);
  }

  private static void awaitRejectionOf(String project) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      List<JsonNode> items = list(json("/api/rejections").path("items"));
      if (items.stream().anyMatch(i -> i.path("project").asText().equals(project))) {
        JsonNode r =
            items.stream()
                .filter(i -> i.path("project").asText().equals(project))
                .findFirst()
                .orElseThrow();
        assertThat(r.path("resource").asText()).isEqualTo("namespace-quota");
        assertThat(r.path("reason").asText()).isEqualTo("QuotaRejected");
        assertThat(r.path("namespace").asText()).isEqualTo("course");
        return;
      }
      assertThat(System.nanoTime())
          .as("a rejection of " + project + " in " + items)
          .isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /**
   * The page in headless Chromium (Debian's), driven by Playwright (src/test/js): the rows an admin
   * looks for, and a screenshot in target/. Skipped, saying so, only when node or chromium is
   * missing; the npm packages are installed from the committed lock file when absent.
   */
  @Test
  void thePageInABrowser() throws Exception {
    Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    Assumptions.assumeTrue(
        Files.isExecutable(chromium),
        "no browser at " + chromium + " (apt-get install -y chromium, or set CHROMIUM)");
    Assumptions.assumeTrue(
        exitCode(Path.of("."), "node", "--version") == 0,
        "no node on the PATH (apt-get install -y nodejs)");
    Files.deleteIfExists(LOG);
    Path js = Path.of("src/test/js");
    if (!Files.isDirectory(js.resolve("node_modules/playwright-core"))) {
      assertThat(exitCode(js, "npm", "ci", "--no-audit", "--no-fund"))
          .as("npm ci in " + js + " (see target/browser-test.log)")
          .isZero();
    }
    Path screenshot = Path.of("target/dashboard.png").toAbsolutePath();
    Files.deleteIfExists(screenshot);
    int exit =
        exitCode(js, "node", "dashboard-browser-test.mjs", base + "/", screenshot.toString());
    assertThat(exit)
        .as("the browser test (its output: target/browser-test.log)\n" + Files.readString(LOG))
        .isZero();
    assertThat(screenshot).exists();
  }

  private static final Path LOG = Path.of("target/browser-test.log");

  /** Runs a command, its output appended to target/browser-test.log; -1 when it cannot start. */
  private static int exitCode(Path dir, String... command) throws InterruptedException {
    try {
      Files.createDirectories(LOG.getParent());
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(LOG.toFile()));
      pb.environment().put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
      Process p = pb.start();
      if (!p.waitFor(3, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return -1;
    }
  }
}
