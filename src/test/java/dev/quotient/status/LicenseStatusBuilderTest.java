package dev.quotient.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.LicensePhase;
import dev.quotient.api.LicenseStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LicenseStatusBuilderTest {
  private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant T2 = Instant.parse("2026-03-01T10:05:00Z");

  private static LicenseStatusBuilder.Outcome next(
      LicenseStatus previous, LicensePhase phase, List<String> problems) {
    return LicenseStatusBuilder.next(
        previous, new LicenseStatusBuilder.Observed(phase, List.of(), problems), 3L, T2);
  }

  /** A previous status: null for none, else the phase and whether Valid was True. */
  private static LicenseStatus previous(LicensePhase phase, Boolean valid) {
    if (phase == null) {
      return null;
    }
    return LicenseStatusBuilder.next(
            null,
            new LicenseStatusBuilder.Observed(
                phase, List.of(), valid ? List.of() : List.of("cpu 'lots' is not a quantity")),
            2L,
            T1)
        .status();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        // title                          | before  | valid before | now     | problem          |
        // Valid | reason         | events
        "first look, usable               | null    | null         | Active  | null             | True  | LicenseValid   | ''",
        "first look, broken               | null    | null         | Pending | cpu bad          | False | LicenseInvalid | Warning LicenseInvalid: cpu bad",
        "stays broken: no second Warning  | Active  | false        | Active  | cpu bad          | False | LicenseInvalid | ''",
        "breaks                           | Active  | true         | Active  | patch bad        | False | LicenseInvalid | Warning LicenseInvalid: patch bad",
        "fixed                            | Active  | false        | Active  | null             | True  | LicenseValid   | ''",
        "activates                        | Pending | true         | Active  | null             | True  | LicenseValid   | Normal LicenseActivated: License is now Active",
        "expires                          | Active  | true         | Expired | null             | True  | LicenseValid   | Normal LicenseExpired: License is now Expired; running projects keep its quota until their next start",
      })
  void validConditionAndEvents(
      String title,
      LicensePhase before,
      Boolean validBefore,
      LicensePhase now,
      String problem,
      String valid,
      String reason,
      String events) {
    LicenseStatusBuilder.Outcome out =
        next(previous(before, validBefore), now, problem == null ? List.of() : List.of(problem));
    Condition c = Conditions.find(out.status().getConditions(), LicenseStatusBuilder.VALID);
    assertThat(c.getStatus()).isEqualTo(valid);
    assertThat(c.getReason()).isEqualTo(reason);
    assertThat(c.getObservedGeneration()).isEqualTo(3L);
    assertThat(c.getMessage())
        .isEqualTo(
            problem == null
                ? "Quota and pod patches are usable"
                : problem + "; projects skip this license until it is fixed");
    assertThat(out.status().getPhase()).isEqualTo(now);
    assertThat(out.status().getObservedGeneration()).isEqualTo(3L);
    assertThat(
            out.events().stream()
                .map(e -> e.type() + " " + e.reason() + ": " + e.message())
                .toList())
        .isEqualTo(events.isEmpty() ? List.of() : Arrays.asList(events));
  }

  @Test
  void lastTransitionTimeChangesOnlyWhenValidFlips() {
    LicenseStatus valid = previous(LicensePhase.Active, true);
    assertThat(transition(next(valid, LicensePhase.Expired, List.of()).status()))
        .as("phase changed, Valid did not")
        .isEqualTo(T1.toString());
    assertThat(transition(next(valid, LicensePhase.Active, List.of("bad")).status()))
        .isEqualTo(T2.toString());
  }

  @Test
  void runningProjectsAreCountedAndNamedInOrder() {
    LicenseStatus s =
        LicenseStatusBuilder.next(
                null,
                new LicenseStatusBuilder.Observed(
                    LicensePhase.Active, List.of("research/b", "course/a"), List.of()),
                1L,
                T1)
            .status();
    assertThat(s.getRunningProjects().getCount()).isEqualTo(2);
    assertThat(s.getRunningProjects().getNames()).containsExactly("research/b", "course/a");
    LicenseStatus none = next(null, LicensePhase.Active, List.of()).status();
    assertThat(none.getRunningProjects().getCount()).isZero();
    assertThat(none.getRunningProjects().getNames()).isNull();
  }

  @Test
  void theSameObservationGivesAnEqualStatusSoNothingIsWritten() {
    LicenseStatus first = next(null, LicensePhase.Active, List.of()).status();
    assertThat(next(first, LicensePhase.Active, List.of()).status()).isEqualTo(first);
  }

  private static String transition(LicenseStatus s) {
    return Conditions.find(s.getConditions(), LicenseStatusBuilder.VALID).getLastTransitionTime();
  }
}
