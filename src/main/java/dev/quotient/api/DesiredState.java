package dev.quotient.api;

/** The user's start/stop request for a Project. */
public enum DesiredState {
  Running,
  Stopped
}
