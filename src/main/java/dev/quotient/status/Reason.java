package dev.quotient.status;

/** Reasons shared by conditions and Events: CamelCase, one vocabulary for both. */
public enum Reason {
  // Project lifecycle
  PodCreated,
  PodScheduled,
  PodStarting,
  PodRunning,
  // Running, but the pod's node has not reported lately: Ready is Unknown, as Kubernetes says.
  NodeNotReporting,
  Unschedulable,
  ImagePullFailed,
  ContainerFailing,
  PodFailed,
  PodDeleted,
  Stopping,
  UserStopped,
  IdleTimeout,
  MaxDuration,
  PendingTimeout,
  NodeLost,
  Preempted,
  GpuIdle,
  KeptRunning,
  LicenseChangeRestart,
  NodeGroupFallback,
  LicenseChangePending,
  PodCreateFailed,
  ProjectIdInUse,
  SpecInvalid,
  ImageRefused,
  ReconcileError,
  // Ephemeral runs
  RunSucceeded,
  RunFailed,
  RunFinished,
  RunRecordExpired,
  // Quota and admission
  QuotaAdmitted,
  QuotaRejected,
  NeverFits,
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
  // Prepull (Events on Nodes)
  PrepullPending,
  Prepulled,
  // DedicatedNodeGroup condition TeamShares
  SharesWithinCapacity,
  SharesExceedCapacity,
  ShareInvalid,
  // Settings
  SettingsInvalid;

  /** The Event and condition reason of a pod going away for this reason. */
  public static Reason of(dev.quotient.api.StopReason stop) {
    return switch (stop) {
      case UserStopped -> UserStopped;
      case IdleTimeout -> IdleTimeout;
      case MaxDuration -> MaxDuration;
      case PendingTimeout -> PendingTimeout;
      case PodFailed -> PodFailed;
      case NodeLost -> NodeLost;
      case Preempted -> Preempted;
      case GpuIdle -> GpuIdle;
      case LicenseChange -> LicenseChangeRestart;
      case NodeGroupFallback -> NodeGroupFallback;
      case Finished -> RunFinished;
    };
  }

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
