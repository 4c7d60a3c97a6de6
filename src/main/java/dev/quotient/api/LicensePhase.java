package dev.quotient.api;

/** Where a License stands in its activates/expires window. */
public enum LicensePhase {
  Pending,
  Active,
  Expired
}
