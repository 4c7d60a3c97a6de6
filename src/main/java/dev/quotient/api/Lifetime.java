package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonCreator;

/** What a Project is: an interactive workspace that runs until stopped, or a run to completion. */
public enum Lifetime {
  /** The interactive workspace (notebook, IDE, terminal): runs until stopped or idle. */
  Persistent,
  /**
   * An agent run: its command runs to completion once, then the Project shows Succeeded or Failed
   * with the exit code.
   */
  Ephemeral;

  /** {@link LenientEnums}: an unknown value reads as null. */
  @JsonCreator
  public static Lifetime fromJson(String value) {
    return LenientEnums.valueOrNull(Lifetime.class, value);
  }
}
