package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonCreator;

/** The user's start/stop request for a Project. */
public enum DesiredState {
  Running,
  Stopped;

  /** {@link LenientEnums}: an unknown value reads as null. */
  @JsonCreator
  public static DesiredState fromJson(String value) {
    return LenientEnums.valueOrNull(DesiredState.class, value);
  }
}
