package dev.quotient.controller;

import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The operator's own meters next to JOSDK's and the ledger's: how long admission took and how many
 * projects are in each phase.
 */
final class OperatorMetrics {
  private final MeterRegistry registry;
  private final Timer admissionLatency;

  OperatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    // Buckets a person can read off: most starts are admitted at once, a queue takes minutes.
    this.admissionLatency =
        Timer.builder("quotient.admission.latency")
            .description(
                "From a project's first refused admission (status.waitingSince) to its admission;"
                    + " 0 when admitted at the first try.")
            .serviceLevelObjectives(
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                Duration.ofMinutes(1),
                Duration.ofMinutes(5),
                Duration.ofMinutes(15),
                Duration.ofHours(1))
            .register(registry);
    // Both results from the start, 0 until one happens, so a rate() has its series.
    registry.counter("quotient.gpu.activity.scrapes", "result", "ok");
    registry.counter("quotient.gpu.activity.scrapes", "result", "failed");
  }

  /**
   * One dcgm-exporter scrape: failures are logged once, so this counter is how an admin sees an
   * exporter that stays down (while it is, no project is stopped for idle GPUs).
   */
  void gpuActivityScraped(boolean ok) {
    registry.counter("quotient.gpu.activity.scrapes", "result", ok ? "ok" : "failed").increment();
  }

  void admitted(Duration waited) {
    admissionLatency.record(waited.isNegative() ? Duration.ZERO : waited);
  }

  /** One gauge per phase, counted from the Project cache at each scrape. */
  void countProjectsByPhase(Supplier<Stream<Project>> projects) {
    for (ProjectPhase phase : ProjectPhase.values()) {
      Gauge.builder(
              "quotient.projects",
              projects,
              p ->
                  p.get()
                      .filter(x -> x.getStatus() != null && x.getStatus().getPhase() == phase)
                      .count())
          .description("Projects by status.phase.")
          .tag("phase", phase.name())
          // Micrometer holds a gauge's object weakly; nothing else holds this supplier.
          .strongReference(true)
          .register(registry);
    }
  }
}
