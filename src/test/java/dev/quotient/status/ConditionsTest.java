package dev.quotient.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionsTest {
  private static final Instant T1 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant T2 = Instant.parse("2026-03-01T11:00:00Z");

  @Test
  void firstSetAddsTheConditionWithNow() {
    List<Condition> c = Conditions.set(null, "Ready", "False", "PodCreated", null, 3L, T1);
    assertThat(c)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.getType()).isEqualTo("Ready");
              assertThat(x.getStatus()).isEqualTo("False");
              assertThat(x.getReason()).isEqualTo("PodCreated");
              assertThat(x.getMessage()).isEmpty();
              assertThat(x.getObservedGeneration()).isEqualTo(3L);
              assertThat(x.getLastTransitionTime()).isEqualTo("2026-03-01T10:00:00Z");
            });
  }

  @ParameterizedTest(name = "{0} -> {1}: transition at {2}")
  @CsvSource({
    "False,   False,   2026-03-01T10:00:00Z",
    "True,    True,    2026-03-01T10:00:00Z",
    "False,   True,    2026-03-01T11:00:00Z",
    "True,    False,   2026-03-01T11:00:00Z",
    "Unknown, False,   2026-03-01T11:00:00Z",
  })
  void lastTransitionTimeChangesOnlyWhenStatusFlips(
      String before, String after, String transition) {
    List<Condition> c = Conditions.set(null, "Ready", before, "A", "first", 1L, T1);
    c = Conditions.set(c, "Ready", after, "B", "second", 2L, T2);
    assertThat(c)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.getStatus()).isEqualTo(after);
              assertThat(x.getLastTransitionTime()).isEqualTo(transition);
              assertThat(x.getReason())
                  .as("reason, message and generation always follow")
                  .isEqualTo("B");
              assertThat(x.getMessage()).isEqualTo("second");
              assertThat(x.getObservedGeneration()).isEqualTo(2L);
            });
  }

  @Test
  void missingTransitionTimeIsFilledIn() {
    List<Condition> c =
        List.of(new ConditionBuilder().withType("Ready").withStatus("True").build());
    assertThat(Conditions.set(c, "Ready", "True", "R", "m", 1L, T2).get(0).getLastTransitionTime())
        .isEqualTo(T2.toString());
  }

  @Test
  void otherTypesKeepTheirPlaceAndTheInputIsNotModified() {
    List<Condition> c = Conditions.set(null, "Ready", "False", "A", "", 1L, T1);
    c = Conditions.set(c, "QuotaAdmitted", "True", "A", "", 1L, T1);
    c = Conditions.set(c, "LicensesValid", "True", "A", "", 1L, T1);
    List<Condition> before = new ArrayList<>(c);
    List<Condition> after =
        Conditions.set(c, "QuotaAdmitted", "False", "QuotaRejected", "full", 2L, T2);
    assertThat(after)
        .extracting(Condition::getType)
        .containsExactly("Ready", "QuotaAdmitted", "LicensesValid");
    assertThat(after.get(0)).isEqualTo(before.get(0));
    assertThat(after.get(2)).isEqualTo(before.get(2));
    assertThat(c).isEqualTo(before);
    assertThat(c.get(1).getStatus()).isEqualTo("True");
  }

  @Test
  void findAndIsTrue() {
    List<Condition> c = Conditions.set(null, "Ready", "True", "A", "", 1L, T1);
    c = Conditions.set(c, "QuotaAdmitted", "False", "A", "", 1L, T1);
    assertThat(Conditions.find(c, "Ready").getStatus()).isEqualTo("True");
    assertThat(Conditions.find(c, "Nope")).isNull();
    assertThat(Conditions.find(null, "Ready")).isNull();
    assertThat(Conditions.isTrue(c, "Ready")).isTrue();
    assertThat(Conditions.isTrue(c, "QuotaAdmitted")).isFalse();
    assertThat(Conditions.isTrue(c, "Nope")).isFalse();
    assertThat(Conditions.isTrue(null, "Ready")).isFalse();
  }
}
