package dev.quotient.admission;

/** Run slots of licenses as the ledger holds them, for the quota of a project being admitted. */
@FunctionalInterface
public interface LicenseSlots {
  /** How many projects other than the one asking hold a run slot of this license. */
  int heldByOthers(String license);
}
