package dev.quotient.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-03-01T10:00:00Z",
        "2026-03-01T10:00:00.5Z",
        "2026-03-01T10:00:00.123456789Z",
        "2024-02-29T23:59:59Z",
        "1970-01-01T00:00:00Z",
        "2026-03-01T10:00:00+02:00",
        "2026-03-01T10:00:00.25-05:30",
        " 2026-03-01T10:00:00Z ",
        "2026-03-01t10:00:00z"
      })
  void readsWhatTheFormatterReads(String text) {
    assertThat(Timestamps.parseOrNull(text))
        .isEqualTo(OffsetDateTime.parse(text.trim()).toInstant());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "yesterday",
        "2026-02-29T10:00:00Z",
        "2026-13-01T10:00:00Z",
        "2026-03-01T24:00:00Z",
        "2026-03-01T10:60:00Z",
        "2026-03-01T10:00:60Z",
        "2026-03-01T10:00:00.1234567890Z",
        "2026-03-01 10:00:00Z",
        "2026-03-01T10:00:00",
        "2026-3-01T10:00:00Z"
      })
  void whatIsNotATimeIsNull(String text) {
    assertThat(Timestamps.parseOrNull(text)).isNull();
  }

  @Test
  void theFastPathAgreesWithTheFormatterOnRandomTimes() {
    long seed = System.nanoTime();
    System.out.println("TimestampsTest seed " + seed);
    Random r = new Random(seed);
    for (int i = 0; i < 20_000; i++) {
      Instant at =
          Instant.ofEpochSecond(
              r.nextInt(Integer.MAX_VALUE) * 2L, r.nextBoolean() ? 0 : r.nextInt(1_000_000_000));
      String text = DateTimeFormatter.ISO_INSTANT.format(at);
      assertThat(Timestamps.utc(text)).as(text + " (seed " + seed + ")").isEqualTo(at);
      String offset = OffsetDateTime.ofInstant(at, ZoneOffset.ofHours(3)).toString();
      assertThat(Timestamps.parseOrNull(offset)).as(offset).isEqualTo(at);
    }
  }
}
