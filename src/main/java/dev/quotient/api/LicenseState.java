package dev.quotient.api;

/** Whether one license named by a Project applies to it, and if not, why. */
public enum LicenseState {
  Applied,
  NotFound,
  NotYetActive,
  Expired,
  RunLimitReached,
  Incompatible,
  Forbidden,
  Invalid
}
