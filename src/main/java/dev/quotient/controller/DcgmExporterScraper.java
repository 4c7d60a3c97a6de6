package dev.quotient.controller;

import dev.quotient.settings.GpuActivitySettings;
import dev.quotient.timers.DcgmMetrics;
import dev.quotient.timers.GpuActivityTracker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads GPU activity from NVIDIA dcgm-exporter (setting {@code gpuActivity.dcgmExporter.url}) into
 * the {@link GpuActivityTracker} the project timers consult: one scrape of every exporter per
 * interval of the operator's clock, whatever the number of projects, and no API server request. A
 * scrape that fails is logged once (until one succeeds again) and only marks activity unknown,
 * which counts as busy: an exporter that is down never stops a project.
 */
final class DcgmExporterScraper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DcgmExporterScraper.class);

  /** How often the real-time ticker looks whether a scrape is due by the operator's clock. */
  static final Duration TICK = Duration.ofSeconds(1);

  private final SettingsStore settings;
  private final Clock clock;
  private final GpuActivityTracker tracker;
  private final OperatorMetrics metrics;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "quotient-dcgm-exporter");
            t.setDaemon(true);
            return t;
          });
  private List<URI> active;
  private Instant lastScrape;
  private String failing;
  private int lastMalformed;

  DcgmExporterScraper(
      SettingsStore settings, Clock clock, GpuActivityTracker tracker, OperatorMetrics metrics) {
    this.metrics = metrics;
    this.settings = settings;
    this.clock = clock;
    this.tracker = tracker;
    // Before any project is looked at: activity counts as unknown (busy) until the first scrape.
    configure(settings.current().gpuActivity(), clock.instant());
  }

  private void configure(GpuActivitySettings g, Instant now) {
    active = g.dcgmExporterUrls();
    lastScrape = null;
    failing = null;
    if (g.enabled()) {
      tracker.start(now);
      log.info("GPU activity: scraping dcgm-exporter at {} every {}", active, g.interval());
    } else {
      tracker.stop();
    }
  }

  void start() {
    executor.scheduleWithFixedDelay(
        this::scrapeIfDueQuietly, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void scrapeIfDueQuietly() {
    try {
      scrapeIfDue();
    } catch (RuntimeException e) {
      // A bug here must not end the ticker: the next tick tries again.
      log.error("GPU activity scrape failed unexpectedly", e);
    }
  }

  /**
   * Scrapes when an interval has passed on the operator's clock since the last scrape (at once for
   * a newly configured exporter). Tests call it after moving a fake clock.
   */
  synchronized void scrapeIfDue() {
    GpuActivitySettings g = settings.current().gpuActivity();
    Instant now = clock.instant();
    if (!g.dcgmExporterUrls().equals(active)) {
      configure(g, now);
    }
    if (!g.enabled() || (lastScrape != null && now.isBefore(lastScrape.plus(g.interval())))) {
      return;
    }
    lastScrape = now;
    scrape(g, now);
  }

  private void scrape(GpuActivitySettings g, Instant now) {
    Duration timeout = g.interval().compareTo(Duration.ofSeconds(10)) < 0 ? g.interval() : TEN_S;
    List<DcgmMetrics.Reading> readings = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (URI url : g.dcgmExporterUrls()) {
      List<URI> targets;
      try {
        targets = targets(url);
      } catch (IOException e) {
        problems.add(url + ": " + e);
        continue;
      }
      for (URI target : targets) {
        try {
          readings.add(DcgmMetrics.read(get(target, timeout)));
        } catch (IOException e) {
          problems.add(target + ": " + e.getMessage());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          problems.add(target + ": interrupted");
        }
      }
    }
    DcgmMetrics.Reading reading = DcgmMetrics.merge(readings);
    tracker.scraped(now, reading, g.busyAbovePercent());
    metrics.gpuActivityScraped(problems.isEmpty());
    if (!problems.isEmpty()) {
      tracker.failed(now);
      String problem = String.join("; ", problems);
      if (failing == null) {
        log.warn(
            "GPU activity: dcgm-exporter did not answer ({}); until it does, GPUs count as busy"
                + " and no project is stopped for idle GPUs",
            problem);
      } else {
        log.debug("GPU activity: dcgm-exporter still failing: {}", problem);
      }
      failing = problem;
    } else if (failing != null) {
      log.info("GPU activity: dcgm-exporter answers again ({} GPUs)", reading.gpus());
      failing = null;
    }
    if (reading.malformed() > 0 && lastMalformed == 0) {
      log.warn(
          "GPU activity: {} line(s) of dcgm-exporter's output are not Prometheus text format and"
              + " were left out",
          reading.malformed());
    }
    lastMalformed = reading.malformed();
    log.debug(
        "GPU activity: {} GPUs, {} pods, {} busy above {}%",
        reading.gpus(),
        reading.utilisation().size(),
        reading.busyAbove(g.busyAbovePercent()).size(),
        g.busyAbovePercent());
  }

  private static final Duration TEN_S = Duration.ofSeconds(10);

  private String get(URI target, Duration timeout) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(target).timeout(timeout).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("HTTP " + response.statusCode());
    }
    return response.body();
  }

  /**
   * dcgm-exporter runs on every GPU node (a DaemonSet): an http URL whose host resolves to several
   * addresses, as a headless Service's name does, is scraped at each of them.
   */
  static List<URI> targets(URI url) throws IOException {
    if (!"http".equals(url.getScheme())) {
      // TLS checks the host name: keep it.
      return List.of(url);
    }
    InetAddress[] addresses = InetAddress.getAllByName(url.getHost());
    if (addresses.length <= 1) {
      return List.of(url);
    }
    List<URI> out = new ArrayList<>();
    for (InetAddress a : addresses) {
      try {
        out.add(
            new URI(
                url.getScheme(),
                url.getUserInfo(),
                a.getHostAddress(),
                url.getPort(),
                url.getPath(),
                url.getQuery(),
                null));
      } catch (URISyntaxException e) {
        throw new IOException("cannot address " + a + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
