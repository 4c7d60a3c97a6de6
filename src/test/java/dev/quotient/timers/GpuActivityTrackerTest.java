package dev.quotient.timers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GpuActivityTrackerTest {
  static final Instant T0 = Instant.parse("2026-06-01T12:00:00Z");
  static final PodRef BUSY = new PodRef("research", "project-train");
  static final PodRef IDLE = new PodRef("research", "project-idle");

  static DcgmMetrics.Reading reading(double busy, double idle) {
    return DcgmMetrics.read(
        "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",namespace=\"research\",pod=\"project-train\"} "
            + busy
            + "\nDCGM_FI_DEV_GPU_UTIL{gpu=\"1\",namespace=\"research\",pod=\"project-idle\"} "
            + idle
            + "\n");
  }

  @Test
  void withoutAnExporterThereIsNoExporterActivity() {
    GpuActivityTracker t = new GpuActivityTracker();
    assertThat(t.lastBusy(BUSY)).isNull();
    t.start(T0);
    t.stop();
    assertThat(t.lastBusy(BUSY)).isNull();
  }

  @Test
  void untilTheFirstScrapeEveryPodCountsBusyFromTheStart() {
    GpuActivityTracker t = new GpuActivityTracker();
    t.start(T0);
    assertThat(t.lastBusy(BUSY)).isEqualTo(T0);
    assertThat(t.lastBusy(new PodRef("x", "never-listed"))).isEqualTo(T0);
  }

  @Test
  void aBusyGpuMovesItsPodsTimeAndAnIdleOneDoesNot() {
    GpuActivityTracker t = new GpuActivityTracker();
    t.start(T0);
    for (int i = 1; i <= 10; i++) {
      t.scraped(T0.plus(Duration.ofMinutes(i)), reading(80, 2), 5);
    }
    assertThat(t.lastBusy(BUSY)).isEqualTo(T0.plus(Duration.ofMinutes(10)));
    assertThat(t.lastBusy(IDLE)).isEqualTo(T0);
    // exactly at the threshold is not busy
    t.scraped(T0.plus(Duration.ofMinutes(11)), reading(5, 5), 5);
    assertThat(t.lastBusy(BUSY)).isEqualTo(T0.plus(Duration.ofMinutes(10)));
  }

  @Test
  void aFailedScrapeCountsAsBusyForEveryPodAndForgetsNothing() {
    GpuActivityTracker t = new GpuActivityTracker();
    t.start(T0);
    t.scraped(T0.plusSeconds(30), reading(80, 0), 5);
    Instant down = T0.plus(Duration.ofHours(2));
    t.failed(down);
    assertThat(t.lastBusy(IDLE)).isEqualTo(down);
    assertThat(t.lastBusy(BUSY)).isEqualTo(down);
    // Back: the idle pod's time stays the outage's end; the busy one moves on.
    Instant back = down.plusSeconds(30);
    t.scraped(back, reading(80, 0), 5);
    assertThat(t.lastBusy(IDLE)).isEqualTo(down);
    assertThat(t.lastBusy(BUSY)).isEqualTo(back);
    // A failure older than what is known changes nothing.
    t.failed(T0);
    assertThat(t.lastBusy(IDLE)).isEqualTo(down);
  }

  @Test
  void podsTheExporterNoLongerListsAreForgottenAfterADay() {
    GpuActivityTracker t = new GpuActivityTracker();
    t.start(T0);
    t.scraped(T0, reading(80, 80), 5);
    assertThat(t.tracked()).isEqualTo(2);
    t.scraped(T0.plus(Duration.ofHours(25)), DcgmMetrics.read(""), 5);
    assertThat(t.tracked()).isZero();
  }

  @ParameterizedTest(name = "annotation {0}, exporter {1} -> {2}")
  @CsvSource(
      nullValues = "null",
      value = {
        "null, null, null",
        "2026-06-01T12:00:00Z, null, 2026-06-01T12:00:00Z",
        "null, 2026-06-01T12:05:00Z, 2026-06-01T12:05:00Z",
        "2026-06-01T12:00:00Z, 2026-06-01T12:05:00Z, 2026-06-01T12:05:00Z",
        "2026-06-01T12:10:00+00:00, 2026-06-01T12:05:00Z, 2026-06-01T12:10:00+00:00",
        "'', 2026-06-01T12:05:00Z, 2026-06-01T12:05:00Z",
        // unreadable counts as busy now, later than anything the exporter says: it stays
        "yesterday, 2026-06-01T12:05:00Z, yesterday"
      })
  void theLaterOfAnnotationAndExporterWins(String annotation, String exporter, String expected) {
    assertThat(
            GpuActivityTracker.later(annotation, exporter == null ? null : Instant.parse(exporter)))
        .isEqualTo(expected);
  }
}
