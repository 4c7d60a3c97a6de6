package dev.quotient.controller;

import static dev.quotient.testing.TestResources.project;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.quotient.api.GpuSpec;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.StopReason;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.testing.MockCluster;
import dev.quotient.testing.TestResources;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * GPU activity from a dcgm-exporter (a tiny fake one, serving the Prometheus text format as
 * NVIDIA's does with pod mapping): a busy GPU keeps its project running past the license's
 * gpuIdleTimeout, an idle one is stopped with stopReason GpuIdle, and an exporter that is down
 * stops nothing. The operator runs on a fake clock that only the test moves.
 */
class DcgmExporterIT {
  private static final AtomicReference<String> METRICS = new AtomicReference<>("");
  private static final AtomicInteger STATUS = new AtomicInteger(200);
  private static final AtomicInteger SCRAPES = new AtomicInteger();
  private static HttpServer exporter;
  private static MockCluster cluster;

  @BeforeAll
  static void start() throws IOException {
    exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    exporter.createContext(
        "/metrics",
        exchange -> {
          SCRAPES.incrementAndGet();
          byte[] body = METRICS.get().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(STATUS.get(), body.length == 0 ? -1 : body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    exporter.start();
    Map<String, String> settings = new HashMap<>(EmbeddedRun.SETTINGS);
    settings.put("defaultQuota.idleTimeout", "");
    settings.put(
        "gpuActivity.dcgmExporter.url",
        "http://127.0.0.1:" + exporter.getAddress().getPort() + "/metrics");
    settings.put("gpuActivity.dcgmExporter.interval", "30s");
    settings.put("gpuActivity.dcgmExporter.busyAbovePercent", "5");
    cluster = MockCluster.startOnFakeClock(settings);
  }

  @AfterAll
  static void stop() {
    try {
      cluster.close();
    } finally {
      exporter.stop(0);
    }
  }

  @BeforeEach
  void exporterAnswers() {
    STATUS.set(200);
    METRICS.set("");
  }

  /** The exporter's page: per pod, the utilisation of each of its GPUs. */
  private static String metrics(String ns, Map<String, double[]> utilByPod) {
    StringBuilder b =
        new StringBuilder(
            "# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).\n"
                + "# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n");
    int gpu = 0;
    for (var e : utilByPod.entrySet()) {
      for (double u : e.getValue()) {
        b.append("DCGM_FI_DEV_GPU_UTIL{gpu=\"")
            .append(gpu)
            .append("\",UUID=\"GPU-")
            .append(gpu++)
            .append("\",device=\"nvidia0\",modelName=\"NVIDIA A100-SXM4-40GB\",Hostname=\"gpu-1\",")
            .append("container=\"project\",namespace=\"")
            .append(ns)
            .append("\",pod=\"project-")
            .append(e.getKey())
            .append("\"} ")
            .append(u)
            .append('\n');
      }
    }
    // An exporter's odd line is left out, not fatal.
    return b.append("DCGM_FI_DEV_GPU_UTIL{gpu=\"9\" broken\n").toString();
  }

  private static String gpuLicense(String ns) {
    String name = "gpu-" + ns;
    cluster.create(
        TestResources.license(
            name,
            5,
            q -> {
              q.setGpu(new GpuSpec());
              q.getGpu().setCount(1);
              q.getGpu().setNodeSelector(Map.of("accelerator", "nvidia-a100"));
              q.setGpuIdleTimeout("45m");
            }));
    return name;
  }

  /** The project keeps the same pod, Running, while the operator looks again. */
  private static void staysRunning(String ns, String name, String podUid) {
    await()
        .during(Duration.ofMillis(700))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                cluster.project(ns, name).getStatus().getPhase() == ProjectPhase.Running
                    && podUid.equals(cluster.pod(ns, name).getMetadata().getUid()));
  }

  private static String gpuIdleEvent(String ns, String name) {
    return cluster.events(ns, name).stream()
        .filter(e -> "GpuIdle".equals(e.getReason()))
        .map(io.fabric8.kubernetes.api.model.Event::getMessage)
        .findFirst()
        .orElse("no GpuIdle Event");
  }

  /** Moves the clock and waits until the exporter was asked (the move scrapes before timers). */
  private static void advance(Duration d) {
    int before = SCRAPES.get();
    cluster.advance(d);
    assertThat(SCRAPES.get()).as("one scrape for the new time").isEqualTo(before + 1);
  }

  @Test
  void aBusyGpuKeepsItsProjectRunningPastGpuIdleTimeoutAndAnIdleOneStops() {
    String ns = cluster.namespace("dcgm");
    String license = gpuLicense(ns);
    cluster.create(project(ns, "training", license));
    cluster.create(project(ns, "notebook", license));
    cluster.awaitPhase(ns, "training", ProjectPhase.Running);
    cluster.awaitPhase(ns, "notebook", ProjectPhase.Running);
    String uid = cluster.pod(ns, "training").getMetadata().getUid();
    // training's one GPU works hard; notebook's idles at 2%, below the 5% threshold.
    METRICS.set(metrics(ns, Map.of("training", new double[] {87}, "notebook", new double[] {2})));

    advance(Duration.ofMinutes(46));
    Project stopped = cluster.awaitPhase(ns, "notebook", ProjectPhase.Stopped);
    assertThat(stopped.getStatus().getStopReason()).isEqualTo(StopReason.GpuIdle);
    assertThat(stopped.getStatus().getMessage()).contains("Stopped (GpuIdle)");
    assertThat(gpuIdleEvent(ns, "notebook")).contains("No GPU activity since");
    staysRunning(ns, "training", uid);

    // Twice the timeout on, still busy: still the same pod.
    advance(Duration.ofMinutes(46));
    staysRunning(ns, "training", uid);
    assertThat(cluster.hasEvent(ns, "training", "GpuIdle")).isFalse();

    // Its GPU goes quiet: 45 minutes after the last busy scrape it stops too.
    Instant lastBusy = cluster.now();
    METRICS.set(metrics(ns, Map.of("training", new double[] {0})));
    advance(Duration.ofMinutes(44));
    staysRunning(ns, "training", uid);
    advance(Duration.ofMinutes(2));
    Project idle = cluster.awaitPhase(ns, "training", ProjectPhase.Stopped);
    assertThat(idle.getStatus().getStopReason()).isEqualTo(StopReason.GpuIdle);
    assertThat(gpuIdleEvent(ns, "training")).contains("No GPU activity since " + lastBusy);
  }

  @Test
  void severalGpusOfOnePodCountByTheBusiestAndTheAnnotationStillCounts() {
    String ns = cluster.namespace("dcgm-multi");
    String license = gpuLicense(ns);
    // A GPU agent says it saw the GPUs busy 40 minutes on; the exporter will say idle: the later
    // of the two wins. (Written at create, so no timer can run on a cache without it.)
    Project p = project(ns, "p", license);
    p.getMetadata()
        .setAnnotations(
            Map.of(
                dev.quotient.api.QuotientLabels.GPU_LAST_ACTIVITY,
                cluster.now().plus(Duration.ofMinutes(40)).toString()));
    cluster.create(p);
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    String uid = cluster.pod(ns, "p").getMetadata().getUid();
    METRICS.set(metrics(ns, Map.of("p", new double[] {0, 1})));
    advance(Duration.ofMinutes(46));
    staysRunning(ns, "p", uid);
    // One of its two GPUs busy is busy enough.
    METRICS.set(metrics(ns, Map.of("p", new double[] {0, 60})));
    advance(Duration.ofMinutes(46));
    staysRunning(ns, "p", uid);
    METRICS.set(metrics(ns, Map.of("p", new double[] {0, 0})));
    advance(Duration.ofMinutes(46));
    assertThat(cluster.awaitPhase(ns, "p", ProjectPhase.Stopped).getStatus().getStopReason())
        .isEqualTo(StopReason.GpuIdle);
  }

  @Test
  void anExporterThatIsDownStopsNothingAndIdleTimeCountsFromItsReturn() throws Exception {
    String ns = cluster.namespace("dcgm-down");
    String license = gpuLicense(ns);
    cluster.create(project(ns, "p", license));
    cluster.awaitPhase(ns, "p", ProjectPhase.Running);
    String uid = cluster.pod(ns, "p").getMetadata().getUid();
    STATUS.set(503);
    advance(Duration.ofMinutes(46));
    staysRunning(ns, "p", uid);
    advance(Duration.ofMinutes(46));
    staysRunning(ns, "p", uid);
    Instant lastFailure = cluster.now();

    // Back, and the GPU is idle: the idle time counts from the last failed scrape.
    STATUS.set(200);
    METRICS.set(metrics(ns, Map.of("p", new double[] {0})));
    advance(Duration.ofMinutes(1));
    staysRunning(ns, "p", uid);
    advance(Duration.ofMinutes(43));
    staysRunning(ns, "p", uid);
    advance(Duration.ofMinutes(2));
    Project stopped = cluster.awaitPhase(ns, "p", ProjectPhase.Stopped);
    assertThat(stopped.getStatus().getStopReason()).isEqualTo(StopReason.GpuIdle);
    assertThat(gpuIdleEvent(ns, "p")).contains("No GPU activity since " + lastFailure);
    // Logged once; the metric is what shows an exporter that stays down.
    assertThat(AdmissionIT.scrape(cluster).lines())
        .anyMatch(
            l -> l.matches("quotient_gpu_activity_scrapes_total\\{result=\"failed\"} [1-9].*"))
        .anyMatch(l -> l.matches("quotient_gpu_activity_scrapes_total\\{result=\"ok\"} [1-9].*"));
  }
}
