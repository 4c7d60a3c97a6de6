package dev.quotient.web;

import dev.quotient.admission.BottleneckResource;
import dev.quotient.admission.LeaseLedger;
import dev.quotient.admission.LedgerSnapshot;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.Map;

/**
 * The lease ledger's figures as meters (no API calls per scrape): what running projects hold, who
 * waits, the refusals by bottleneck resource and the run slots in use per license. All read one
 * snapshot, taken by {@link #refresh()} before each scrape, so the figures of one scrape agree.
 */
public final class LedgerMetrics {
  private final LeaseLedger ledger;
  private final MultiGauge licenseUse;
  private volatile LedgerSnapshot current;

  public LedgerMetrics(LeaseLedger ledger, MeterRegistry registry) {
    this.ledger = ledger;
    this.current = ledger.snapshot();
    gauge(registry, "quotient.running.projects", "Projects holding a lease (starting or running).")
        .accept(s -> s.size());
    gauge(registry, "quotient.waiting.projects", "Projects waiting for resources.")
        .accept(s -> s.waiting().size());
    gauge(registry, "quotient.leased.cpu.millicores", "CPU requests held by running projects.")
        .accept(s -> s.total().cpuMillis());
    gauge(registry, "quotient.leased.memory.bytes", "Memory requests held by running projects.")
        .accept(s -> s.total().memoryBytes());
    gauge(registry, "quotient.leased.gpus", "GPUs held by running projects.")
        .accept(s -> s.total().gpu());
    for (BottleneckResource r : BottleneckResource.values()) {
      FunctionCounter.builder(
              "quotient.admission.rejections",
              this,
              m -> m.current.rejections().getOrDefault(r, 0L))
          .description("Projects refused admission, by bottleneck resource.")
          .tag("resource", r.label())
          .register(registry);
    }
    licenseUse =
        MultiGauge.builder("quotient.license.running.projects")
            .description("Run slots in use, by license.")
            .register(registry);
    refresh();
  }

  /** Takes the snapshot the next scrape reads; licenses no longer in use drop out. */
  public void refresh() {
    LedgerSnapshot s = ledger.snapshot();
    current = s;
    licenseUse.register(
        s.licenseUse().entrySet().stream()
            .map(
                (Map.Entry<String, Integer> e) ->
                    MultiGauge.Row.of(Tags.of("license", e.getKey()), e.getValue()))
            .toList(),
        true);
  }

  private java.util.function.Consumer<java.util.function.ToDoubleFunction<LedgerSnapshot>> gauge(
      MeterRegistry registry, String name, String help) {
    return value ->
        Gauge.builder(name, this, m -> value.applyAsDouble(m.current))
            .description(help)
            .register(registry);
  }
}
