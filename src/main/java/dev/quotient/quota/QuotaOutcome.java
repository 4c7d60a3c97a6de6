package dev.quotient.quota;

import java.util.List;

/** The effective quota together with the verdict on every license the project names. */
public record QuotaOutcome(EffectiveQuota quota, List<LicenseVerdict> verdicts) {
  public QuotaOutcome {
    verdicts = List.copyOf(verdicts);
  }

  public boolean allLicensesApplied() {
    return verdicts.stream().allMatch(LicenseVerdict::applied);
  }
}
