package dev.quotient.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quotient.api.LicensePhase;
import dev.quotient.api.LicenseSpec;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LicenseWindowTest {
  private static final String JAN = "2026-01-01T00:00:00Z";
  private static final String FEB = "2026-02-01T00:00:00Z";

  private static LicenseSpec spec(String activates, String expires) {
    LicenseSpec s = new LicenseSpec();
    s.setActivates(activates);
    s.setExpires(expires);
    return s;
  }

  @ParameterizedTest(name = "[{0}, {1}) at {2} -> {3}")
  @CsvSource({
    // activates,            expires,                now,                        phase
    "2026-01-01T00:00:00Z, 2026-02-01T00:00:00Z, 2025-12-31T23:59:59Z, Pending",
    "2026-01-01T00:00:00Z, 2026-02-01T00:00:00Z, 2026-01-01T00:00:00Z, Active",
    "2026-01-01T00:00:00Z, 2026-02-01T00:00:00Z, 2026-01-15T00:00:00Z, Active",
    "2026-01-01T00:00:00Z, 2026-02-01T00:00:00Z, 2026-01-31T23:59:59Z, Active",
    "2026-01-01T00:00:00Z, 2026-02-01T00:00:00Z, 2026-02-01T00:00:00Z, Expired",
    ",                     2026-02-01T00:00:00Z, 2000-01-01T00:00:00Z, Active",
    ",                     2026-02-01T00:00:00Z, 2030-01-01T00:00:00Z, Expired",
    "2026-01-01T00:00:00Z, ,                     2999-01-01T00:00:00Z, Active",
    "2026-01-01T00:00:00Z, ,                     2025-01-01T00:00:00Z, Pending",
    ",                     ,                     2026-01-01T00:00:00Z, Active",
    "2026-01-01T01:00:00+01:00, ,                2026-01-01T00:00:00Z, Active",
    "2026-01-01T01:00:00+01:00, ,                2025-12-31T23:59:59Z, Pending",
    "2026-01-01T00:00:00.5Z, ,                   2026-01-01T00:00:00Z, Pending",
  })
  void phaseAt(String activates, String expires, Instant now, LicensePhase phase) {
    assertThat(LicenseWindow.of(spec(activates, expires)).phaseAt(now)).isEqualTo(phase);
  }

  @Test
  void noSpecOrBlankTimesIsPerpetual() {
    assertThat(LicenseWindow.of(null)).isEqualTo(new LicenseWindow(null, null));
    assertThat(LicenseWindow.of(spec(" ", ""))).isEqualTo(new LicenseWindow(null, null));
    assertThat(LicenseWindow.of(null).nextTransitionAfter(Instant.parse(JAN))).isEmpty();
  }

  @Test
  void nextTransitionIsActivationThenExpiryThenNothing() {
    LicenseWindow w = LicenseWindow.of(spec(JAN, FEB));
    assertThat(w.nextTransitionAfter(Instant.parse("2025-06-01T00:00:00Z")))
        .contains(Instant.parse(JAN));
    assertThat(w.nextTransitionAfter(Instant.parse(JAN))).contains(Instant.parse(FEB));
    assertThat(w.nextTransitionAfter(Instant.parse("2026-01-20T00:00:00Z")))
        .contains(Instant.parse(FEB));
    assertThat(w.nextTransitionAfter(Instant.parse(FEB))).isEmpty();
    assertThat(LicenseWindow.of(spec(JAN, null)).nextTransitionAfter(Instant.parse(FEB))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"2026-01-01", "tomorrow", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z"})
  void refusesTimesThatAreNotRfc3339(String text) {
    assertThatThrownBy(() -> LicenseWindow.of(spec(null, text)))
        .isInstanceOf(InvalidQuantityException.class)
        .hasMessageContaining("spec.expires")
        .hasMessageContaining("RFC 3339");
    assertThatThrownBy(() -> LicenseWindow.of(spec(text, null)))
        .isInstanceOf(InvalidQuantityException.class)
        .hasMessageContaining("spec.activates");
  }

  @Test
  void refusesAnExpiryThatIsNotAfterTheActivation() {
    // the CRD's CEL rule refuses it on a real API server; an object that got past it (the mock, a
    // CRD without the rule) must read as invalid, not as a license that merely expired
    assertThatThrownBy(() -> LicenseWindow.of(spec(FEB, JAN)))
        .isInstanceOf(InvalidQuantityException.class)
        .hasMessage("spec.expires '" + JAN + "' is not after spec.activates " + FEB);
    assertThatThrownBy(() -> LicenseWindow.of(spec(JAN, JAN)))
        .isInstanceOf(InvalidQuantityException.class);
  }
}
