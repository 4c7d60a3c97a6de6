package dev.quotient.quota;

import dev.quotient.api.LicenseState;

/** Whether one license named by a project applies to it, and why in words. */
public record LicenseVerdict(String license, LicenseState state, String message) {
  public boolean applied() {
    return state == LicenseState.Applied;
  }
}
