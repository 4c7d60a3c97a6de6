package dev.quotient.api;

/** Lifecycle phase of a Project as the operator observes it. */
public enum ProjectPhase {
  Stopped,
  WaitingForResources,
  Starting,
  Running,
  Stopping,
  Failed
}
