package dev.quotient.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource({
    "30m,      PT30M",
    "1h30m,    PT1H30M",
    "90m,      PT1H30M",
    "2h,       PT2H",
    "2d,       PT48H",
    "7d,       PT168H",
    "1d12h,    PT36H",
    "500ms,    PT0.5S",
    "45s,      PT45S",
    "1.5h,     PT1H30M",
    "0.5s,     PT0.5S",
    "250us,    PT0.00025S",
    "250µs,    PT0.00025S",
    "10ns,     PT0.00000001S",
    "0s,       PT0S",
    "' 2h ',   PT2H",
    "1h1h,     PT2H",
  })
  void parsesGoStyleDurations(String text, Duration expected) {
    assertThat(Durations.parse("spec.quota.idleTimeout", text)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "''{0}'' is refused")
  @ValueSource(
      strings = {
        "2", "h", "1x", "-1h", "+1h", "1 h", "1h 30m", "1H", "2 days", "1.h", ".5h", "P1D", "30min",
        "1w"
      })
  void refusesOtherForms(String text) {
    assertThatThrownBy(() -> Durations.parse("spec.quota.idleTimeout", text))
        .isInstanceOf(InvalidQuantityException.class)
        .hasMessageContaining("spec.quota.idleTimeout")
        .hasMessageContaining("is not a duration");
  }

  /** The fast path for whole units must read, and refuse, exactly what the general one does. */
  @Test
  void theWholeUnitPathAgreesWithTheGeneralOneOnRandomText() {
    long seed = new java.util.Random().nextLong();
    System.out.println("durations seed " + seed);
    java.util.Random r = new java.util.Random(seed);
    String[] pieces = {
      "0",
      "1",
      "9",
      "30",
      "007",
      "999999999999",
      ".",
      ".5",
      "ns",
      "us",
      "µs",
      "ms",
      "s",
      "m",
      "h",
      "d",
      "x",
      " ",
      "H"
    };
    for (int i = 0; i < 20_000; i++) {
      StringBuilder text = new StringBuilder();
      for (int k = 1 + r.nextInt(6); k > 0; k--) {
        text.append(pieces[r.nextInt(pieces.length)]);
      }
      String t = text.toString();
      Object fast = outcome(() -> Durations.parse("f", t));
      Object general = outcome(() -> Durations.general("f", t));
      assertThat(fast).as("'%s' (seed %d)", t, seed).isEqualTo(general);
    }
  }

  private static Object outcome(java.util.function.Supplier<Duration> parse) {
    try {
      return parse.get();
    } catch (InvalidQuantityException e) {
      return e.getMessage();
    }
  }

  @ParameterizedTest
  @NullAndEmptySource
  void refusesNothing(String text) {
    assertThatThrownBy(() -> Durations.parse("f", text))
        .isInstanceOf(InvalidQuantityException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"999999999d", "9999999999999h"})
  void refusesDurationsTooLongToRepresent(String text) {
    assertThatThrownBy(() -> Durations.parse("spec.quota.maxDuration", text))
        .isInstanceOf(InvalidQuantityException.class)
        .hasMessageContaining("too long");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "PT0S,       0s",
    "PT45S,      45s",
    "PT30M,      30m",
    "PT2H,       2h",
    "PT1H30M,    1h30m",
    "PT48H,      48h",
    "PT1H0M5S,   1h5s",
    "PT0.5S,     0.5s",
    "PT1.25S,    1.25s",
    "PT2M0.5S,   2m0.5s",
  })
  void formatsTheWayUsersWrite(Duration d, String expected) {
    assertThat(Durations.format(d)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"30m", "1h30m", "48h", "45s", "0.5s", "2h0m1s", "12h59m59s"})
  void formatParsesBack(String text) {
    Duration d = Durations.parse("f", text);
    assertThat(Durations.parse("f", Durations.format(d))).isEqualTo(d);
  }
}
