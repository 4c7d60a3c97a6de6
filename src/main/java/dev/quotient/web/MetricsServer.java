package dev.quotient.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.quotient.admission.BottleneckResource;
import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.LedgerSnapshot;
import dev.quotient.quota.Resources;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * {@code /metrics} in the Prometheus text format, from the lease ledger (no API calls per scrape),
 * and the probes {@code /healthz} and {@code /readyz} ({@link HealthProbe}), on the JDK's own HTTP
 * server.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;
  private final LeaseLedger ledger;

  public MetricsServer(String host, int port, LeaseLedger ledger) {
    this(host, port, ledger, HealthProbe.ALWAYS_OK);
  }

  public MetricsServer(String host, int port, LeaseLedger ledger, HealthProbe health) {
    this.ledger = ledger;
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
    server.createContext("/metrics", ex -> respond(ex, "text/plain; version=0.0.4", metrics()));
    server.createContext("/healthz", ex -> respond(ex, health.liveness()));
    server.createContext("/readyz", ex -> respond(ex, health.readiness()));
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  String metrics() {
    StringBuilder sb = new StringBuilder();
    // One immutable view, so the figures of one scrape agree with each other.
    LedgerSnapshot snapshot = ledger.snapshot();
    Resources total = snapshot.total();
    gauge(
        sb,
        "quotient_running_projects",
        "Projects holding a lease (starting or running).",
        snapshot.size());
    gauge(
        sb,
        "quotient_waiting_projects",
        "Projects waiting for resources.",
        snapshot.waiting().size());
    gauge(
        sb,
        "quotient_leased_cpu_millicores",
        "CPU requests held by running projects.",
        total.cpuMillis());
    gauge(
        sb,
        "quotient_leased_memory_bytes",
        "Memory requests held by running projects.",
        total.memoryBytes());
    gauge(sb, "quotient_leased_gpus", "GPUs held by running projects.", total.gpu());
    sb.append(
            "# HELP quotient_admission_rejections_total Projects refused admission, by bottleneck resource.\n")
        .append("# TYPE quotient_admission_rejections_total counter\n");
    for (Map.Entry<BottleneckResource, Long> e : snapshot.rejections().entrySet()) {
      sb.append("quotient_admission_rejections_total{resource=\"")
          .append(e.getKey().label())
          .append("\"} ")
          .append(e.getValue())
          .append('\n');
    }
    sb.append("# HELP quotient_license_running_projects Run slots in use, by license.\n")
        .append("# TYPE quotient_license_running_projects gauge\n");
    for (Map.Entry<String, Integer> e : snapshot.licenseUse().entrySet()) {
      sb.append("quotient_license_running_projects{license=\"")
          .append(e.getKey())
          .append("\"} ")
          .append(e.getValue())
          .append('\n');
    }
    return sb.toString();
  }

  private static void gauge(StringBuilder sb, String name, String help, long value) {
    sb.append("# HELP ")
        .append(name)
        .append(' ')
        .append(help)
        .append('\n')
        .append("# TYPE ")
        .append(name)
        .append(" gauge\n")
        .append(name)
        .append(' ')
        .append(value)
        .append('\n');
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
