package dev.quotient.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.admission.LeaseLedger;
import dev.quotient.controller.ProjectPodEventSource.LedgerRebuild;
import dev.quotient.web.HealthProbe.Check;
import dev.quotient.web.MetricsServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorHealthTest {
  @Test
  void startingIsAliveButNotReady() {
    OperatorHealth health = new OperatorHealth(null);
    assertThat(health.liveness()).isEqualTo(Check.ok("ok"));
    assertThat(health.readiness()).isEqualTo(Check.failing("starting: caches not synced yet"));
    health.started();
    assertThat(health.readiness())
        .isEqualTo(Check.failing("starting: the lease ledger is not rebuilt yet"));
    health.watch(() -> LedgerRebuild.DONE, Map::of);
    assertThat(health.readiness()).isEqualTo(Check.ok("ready"));
  }

  @Test
  void aStoppedInformerFailsBothProbes() {
    OperatorHealth health = synced(new OperatorHealth(null));
    health.informerStopped("Pod");
    health.informerStopped("Node");
    Check failing = Check.failing("informer stopped and cannot resume: Node, Pod");
    assertThat(health.liveness()).isEqualTo(failing);
    assertThat(health.readiness()).isEqualTo(failing);
  }

  @Test
  void aLedgerThatCouldNotBeRebuiltFailsLiveness() {
    OperatorHealth health = new OperatorHealth(null);
    health.started();
    health.watch(
        () -> LedgerRebuild.failed(new IllegalStateException("pod without a project label")),
        Map::of);
    assertThat(health.liveness())
        .isEqualTo(
            Check.failing(
                "the lease ledger could not be rebuilt: java.lang.IllegalStateException: pod without a project label"));
    assertThat(health.readiness().ok()).isFalse();
  }

  @Test
  void anEventSourceThatIsNotWatchingMakesItUnready() {
    OperatorHealth health = new OperatorHealth(null);
    health.started();
    health.watch(() -> LedgerRebuild.DONE, () -> Map.of("project", Map.of("project-pods", "x")));
    assertThat(health.liveness().ok()).isTrue();
    assertThat(health.readiness())
        .isEqualTo(Check.failing("event sources not healthy: project-pods"));
  }

  @Test
  void aStandbyIsReadyAndSaysWhoLeads() {
    OperatorHealth health = synced(new OperatorHealth("replica-b"));
    health.leaderCallbacks().onNewLeader("replica-a");
    assertThat(health.readiness())
        .isEqualTo(Check.ok("ready: standby (replica-b; leader: replica-a)"));
    health.leaderCallbacks().onStartLeading();
    assertThat(health.readiness()).isEqualTo(Check.ok("ready: leader (replica-b)"));
  }

  @Test
  void theServerAnswers503WithTheReason() throws Exception {
    OperatorHealth health = synced(new OperatorHealth(null));
    try (MetricsServer server =
        new MetricsServer(
            "127.0.0.1",
            0,
            new LeaseLedger(),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            health)) {
      assertThat(get(server, "/healthz")).isEqualTo("200 ok\n");
      assertThat(get(server, "/readyz")).isEqualTo("200 ready\n");
      health.informerStopped("Pod");
      assertThat(get(server, "/healthz"))
          .isEqualTo("503 informer stopped and cannot resume: Pod\n");
      assertThat(get(server, "/readyz")).startsWith("503 ");
    }
  }

  private static OperatorHealth synced(OperatorHealth health) {
    health.started();
    health.watch(() -> LedgerRebuild.DONE, Map::of);
    return health;
  }

  static String get(MetricsServer server, String path) throws Exception {
    return get(server.port(), path);
  }

  static String get(int port, String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }
}
