package dev.quotient.controller;

import static dev.quotient.controller.OperatorHealthTest.get;
import static dev.quotient.testing.TestResources.project;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quotient.api.ProjectPhase;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.testing.MockCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * An informer that cannot start (its list refused, as before the operator's RBAC is applied) fails
 * the start, which is tried again with backoff: the readiness probe says why meanwhile, and the
 * operator serves Projects once the list goes through; only after the bound does the start give up.
 * Run with {@code exitOnInformerFailure}, as in production: an exit would end this test's JVM.
 */
class StartupRetryIT {
  static final String FORBIDDEN =
      "projects.quotient.dev is forbidden: User"
          + " \"system:serviceaccount:quotient-system:quotient-operator\" cannot list resource"
          + " \"projects\" in API group \"quotient.dev\" at the cluster scope";
  // The informer's first list (from resourceVersion 0), not the simulation's own lists.
  static final Predicate<String> PROJECT_LIST =
      r ->
          r.startsWith("GET /apis/quotient.dev/v1alpha1/projects?")
              && r.contains("resourceVersion=0")
              && !r.contains("watch=true");

  @Test
  void aListRefusedAtStartIsRetriedAndTheOperatorThenServesProjects() throws Exception {
    try (MockCluster cluster = MockCluster.start()) {
      cluster.run().operator().close();
      String ns = cluster.namespace("startup");
      cluster.create(project(ns, "p"));
      cluster.faults().refuse(PROJECT_LIST, 403, FORBIDDEN, 3);
      int port = freePort();
      List<String> readyz = new CopyOnWriteArrayList<>();
      AtomicBoolean sampling = new AtomicBoolean(true);
      Thread sampler =
          new Thread(
              () -> {
                while (sampling.get()) {
                  try {
                    readyz.add(readyz(port));
                  } catch (Exception notListening) {
                    // between two servers of the port
                  }
                }
              });
      sampler.start();
      QuotientOperator operator =
          QuotientOperator.startRetrying(
              cluster.run().api().newClient(),
              OperatorConfig.defaults(EmbeddedRun.NAMESPACE)
                  .withMetricsPort(port)
                  .withExitOnInformerFailure(true),
              new StartupRetry(
                  Duration.ofSeconds(30), Duration.ofMillis(300), Duration.ofSeconds(1)));
      try {
        sampling.set(false);
        sampler.join(5_000);
        cluster.awaitPhase(ns, "p", ProjectPhase.Running);
        assertThat(get(port, "/readyz")).isEqualTo("200 ready\n");
        assertThat(get(port, "/healthz")).isEqualTo("200 ok\n");
        assertThat(readyz)
            .as("what /readyz answered while the list was refused")
            .anySatisfy(
                r ->
                    assertThat(r)
                        .startsWith("503 starting: ")
                        .contains("attempt 1 failed")
                        .contains("cannot list resource \"projects\""));
      } finally {
        operator.close();
      }
    }
  }

  @Test
  void aStartThatKeepsFailingGivesUpAfterTheBoundWithTheLastReason() {
    try (MockCluster cluster = MockCluster.start()) {
      cluster.run().operator().close();
      cluster.faults().refuse(PROJECT_LIST, 403, FORBIDDEN, Integer.MAX_VALUE);
      long t0 = System.nanoTime();
      assertThatThrownBy(
              () ->
                  QuotientOperator.startRetrying(
                      cluster.run().api().newClient(),
                      OperatorConfig.defaults(EmbeddedRun.NAMESPACE)
                          .withExitOnInformerFailure(true),
                      new StartupRetry(
                          Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofMillis(500))))
          .satisfies(e -> assertThat(StartupRetry.reason(e)).isEqualTo(FORBIDDEN + " (HTTP 403)"));
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isBetween(Duration.ofSeconds(2), Duration.ofSeconds(20));
    }
  }

  /**
   * One look at /readyz, bounded as the kubelet's probe is: a request that reaches a server of the
   * port just as it stops may never be answered.
   */
  static String readyz(int port) throws Exception {
    HttpResponse<String> r =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofMillis(500))
            .build()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                    .timeout(Duration.ofSeconds(1))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
