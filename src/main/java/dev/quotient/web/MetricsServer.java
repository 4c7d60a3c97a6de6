package dev.quotient.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.quotient.admission.LeaseLedger;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * {@code /metrics} in the Prometheus text format (Micrometer's registry: the ledger's meters,
 * {@link LedgerMetrics}, and the operator's), and the probes {@code /healthz} and {@code /readyz}
 * ({@link HealthProbe}), on the JDK's own HTTP server.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;
  private final PrometheusMeterRegistry registry;
  private final LedgerMetrics ledgerMetrics;

  public MetricsServer(String host, int port, LeaseLedger ledger) {
    this(
        host,
        port,
        ledger,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        HealthProbe.ALWAYS_OK);
  }

  /**
   * @param registry where the operator's own meters are (JOSDK's, the admission latency, projects
   *     by phase); the ledger's are added here
   */
  public MetricsServer(
      String host,
      int port,
      LeaseLedger ledger,
      PrometheusMeterRegistry registry,
      HealthProbe health) {
    this(host, port, health, registry, new LedgerMetrics(ledger, registry));
  }

  /**
   * Only the probes, while no operator runs yet (between two start attempts): {@code /metrics}
   * answers 503, since no figure of a ledger that does not exist yet would be true.
   */
  public static MetricsServer probesOnly(String host, int port, HealthProbe health) {
    return new MetricsServer(host, port, health, null, null);
  }

  private MetricsServer(
      String host,
      int port,
      HealthProbe health,
      PrometheusMeterRegistry registry,
      LedgerMetrics ledgerMetrics) {
    this.registry = registry;
    this.ledgerMetrics = ledgerMetrics;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
    }
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "metrics-http");
              t.setDaemon(true);
              return t;
            }));
    server.createContext(
        "/metrics",
        ex -> {
          if (registry == null) {
            respond(ex, 503, "text/plain", "starting: no metrics yet\n");
          } else {
            respond(ex, "text/plain; version=0.0.4", scrape());
          }
        });
    server.createContext("/healthz", ex -> respond(ex, health.liveness()));
    server.createContext("/readyz", ex -> respond(ex, health.readiness()));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  String scrape() {
    ledgerMetrics.refresh();
    return registry.scrape();
  }

  /** 200 when the check passes, 503 when it fails (what the kubelet's probes look at). */
  private static void respond(HttpExchange ex, HealthProbe.Check check) throws IOException {
    respond(ex, check.ok() ? 200 : 503, "text/plain", check.message() + "\n");
  }

  private static void respond(HttpExchange ex, String type, String body) throws IOException {
    respond(ex, 200, type, body);
  }

  private static void respond(HttpExchange ex, int code, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
