package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonCreator;

/** Whether one license named by a Project applies to it, and if not, why. */
public enum LicenseState {
  Applied,
  NotFound,
  NotYetActive,
  Expired,
  RunLimitReached,
  Incompatible,
  Forbidden,
  Invalid;

  /** {@link LenientEnums}: an unknown value reads as null. */
  @JsonCreator
  public static LicenseState fromJson(String value) {
    return LenientEnums.valueOrNull(LicenseState.class, value);
  }
}
