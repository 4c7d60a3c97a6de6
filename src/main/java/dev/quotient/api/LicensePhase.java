package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonCreator;

/** Where a License stands in its activates/expires window. */
public enum LicensePhase {
  Pending,
  Active,
  Expired;

  /** {@link LenientEnums}: an unknown value reads as null. */
  @JsonCreator
  public static LicensePhase fromJson(String value) {
    return LenientEnums.valueOrNull(LicensePhase.class, value);
  }
}
