package dev.quotient.timers;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * When each pod's GPUs were last seen busy by a GPU-metrics exporter, in memory. Activity the
 * exporter could not tell counts as busy, as an unreadable activity annotation does: from the
 * moment the exporter is configured until its first answer, and for as long as it fails to answer,
 * every pod counts as busy at that moment. So an exporter that is down, or an operator that just
 * restarted, postpones GPU idle stops and never causes one.
 */
public final class GpuActivityTracker {
  /** How long a busy time is kept for a pod the exporter stopped listing (its pod is gone). */
  static final Duration RETENTION = Duration.ofDays(1);

  private final Map<PodRef, Instant> lastBusy = new HashMap<>();
  private Instant unknownAt;

  /** The exporter is configured from {@code now} on; nothing is known yet. */
  public synchronized void start(Instant now) {
    lastBusy.clear();
    unknownAt = now;
  }

  /** No exporter any more: GPU activity comes from the annotation alone. */
  public synchronized void stop() {
    lastBusy.clear();
    unknownAt = null;
  }

  /** A scrape at {@code at}: the pods with a GPU above {@code busyAbovePercent} were busy then. */
  public synchronized void scraped(
      Instant at, DcgmMetrics.Reading reading, double busyAbovePercent) {
    Set<PodRef> busy = reading.busyAbove(busyAbovePercent);
    busy.forEach(p -> lastBusy.put(p, at));
    Instant horizon = at.minus(RETENTION);
    lastBusy.values().removeIf(t -> t.isBefore(horizon));
  }

  /** A scrape at {@code at} failed (wholly or for some exporters): activity unknown then. */
  public synchronized void failed(Instant at) {
    if (unknownAt != null && (at.isAfter(unknownAt))) {
      unknownAt = at;
    }
  }

  /** When the pod's GPUs were last busy or unknown; null without an exporter. */
  public synchronized Instant lastBusy(PodRef pod) {
    if (unknownAt == null) {
      return null;
    }
    Instant busy = lastBusy.get(pod);
    return busy != null && busy.isAfter(unknownAt) ? busy : unknownAt;
  }

  /** Pods with a busy time kept. */
  public synchronized int tracked() {
    return lastBusy.size();
  }

  /**
   * The GPU activity the timers use: the later of the annotation (as written) and the exporter's
   * time. An annotation that cannot be read stays, since it counts as busy now, later than any.
   */
  public static String later(String annotation, Instant exporter) {
    if (exporter == null) {
      return annotation;
    }
    if (annotation == null || annotation.isBlank()) {
      return exporter.toString();
    }
    try {
      Instant written = OffsetDateTime.parse(annotation.trim()).toInstant();
      return exporter.isAfter(written) ? exporter.toString() : annotation;
    } catch (DateTimeParseException e) {
      return annotation;
    }
  }
}
