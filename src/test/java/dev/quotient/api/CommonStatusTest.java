package dev.quotient.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The base fields count in equals and hashCode: an unchanged status is what skips a write. */
class CommonStatusTest {

  private static LicenseStatus license(Long generation, String reason) {
    LicenseStatus s = new LicenseStatus();
    s.setPhase(LicensePhase.Active);
    s.setObservedGeneration(generation);
    s.setConditions(
        List.of(
            new ConditionBuilder()
                .withType("Valid")
                .withStatus("True")
                .withReason(reason)
                .build()));
    return s;
  }

  @Test
  void equalWhenAllFieldsAreEqual() {
    assertThat(license(2L, "LicenseValid")).isEqualTo(license(2L, "LicenseValid"));
    assertThat(license(2L, "LicenseValid")).hasSameHashCodeAs(license(2L, "LicenseValid"));
  }

  @Test
  void theGenerationAndTheConditionsCount() {
    assertThat(license(3L, "LicenseValid")).isNotEqualTo(license(2L, "LicenseValid"));
    assertThat(license(2L, "LicenseInvalid")).isNotEqualTo(license(2L, "LicenseValid"));
  }

  @Test
  void subclassFieldsCountAndKindsNeverEqual() {
    LicenseStatus expired = license(2L, "LicenseValid");
    expired.setPhase(LicensePhase.Expired);
    assertThat(expired).isNotEqualTo(license(2L, "LicenseValid"));
    DedicatedNodeGroupStatus a = new DedicatedNodeGroupStatus();
    LicenseStatus b = new LicenseStatus();
    assertThat(a).isNotEqualTo(b);
    assertThat(b).isNotEqualTo(a);
    a.setNodeCount(1);
    assertThat(a).isNotEqualTo(new DedicatedNodeGroupStatus());
  }
}
