package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonCreator;

/** Lifecycle phase of a Project as the operator observes it. */
public enum ProjectPhase {
  Stopped,
  WaitingForResources,
  Starting,
  Running,
  Stopping,
  Failed,
  /** An ephemeral run whose command exited with code 0. */
  Succeeded;

  /** {@link LenientEnums}: an unknown value reads as null. */
  @JsonCreator
  public static ProjectPhase fromJson(String value) {
    return LenientEnums.valueOrNull(ProjectPhase.class, value);
  }
}
