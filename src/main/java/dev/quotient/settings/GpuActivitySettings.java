package dev.quotient.settings;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Where GPU activity comes from besides the Project annotation: NVIDIA dcgm-exporter endpoints
 * scraped every {@code interval}; a GPU above {@code busyAbovePercent} utilisation is busy.
 */
public record GpuActivitySettings(
    List<URI> dcgmExporterUrls, Duration interval, double busyAbovePercent) {
  public GpuActivitySettings {
    dcgmExporterUrls = List.copyOf(dcgmExporterUrls);
  }

  public boolean enabled() {
    return !dcgmExporterUrls.isEmpty();
  }
}
