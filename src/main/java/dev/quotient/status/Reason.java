package dev.quotient.status;

/** Reasons shared by conditions and Events: CamelCase, one vocabulary for both. */
public enum Reason {
  // Project lifecycle
  PodCreated,
  PodScheduled,
  PodStarting,
  PodRunning,
  Unschedulable,
  ImagePullFailed,
  ContainerFailing,
  PodFailed,
  PodDeleted,
  PodRecreated,
  Stopping,
  UserStopped,
  IdleTimeout,
  MaxDuration,
  PendingTimeout,
  LicenseChangeRestart,
  LicenseChangePending,
  PodCreateFailed,
  ReconcileError,
  // Quota and admission
  QuotaAdmitted,
  QuotaRejected,
  NotRequested,
  // Licenses
  LicensesApplied,
  LicenseNotFound,
  LicenseNotYetActive,
  LicenseExpired,
  LicenseRunLimitReached,
  LicenseIncompatible,
  LicenseForbidden,
  LicenseInvalid,
  PodPatchRejected,
  LicenseActivated,
  LicenseValid,
  // Node groups
  NodesLabelled,
  NoMatchingNodes,
  NodeClaimedByOtherGroup,
  // Settings
  SettingsInvalid,
  SettingsReloaded;

  public static Reason forLicenseState(dev.quotient.api.LicenseState state) {
    return switch (state) {
      case Applied -> LicensesApplied;
      case NotFound -> LicenseNotFound;
      case NotYetActive -> LicenseNotYetActive;
      case Expired -> LicenseExpired;
      case RunLimitReached -> LicenseRunLimitReached;
      case Incompatible -> LicenseIncompatible;
      case Forbidden -> LicenseForbidden;
      case Invalid -> LicenseInvalid;
    };
  }
}
