package dev.quotient.lifecycle;

import dev.quotient.status.Reason;

/** An Event to record on the Project (what kubectl describe shows). */
public record Notice(boolean warning, Reason reason, String message) {
  public static Notice normal(Reason reason, String message) {
    return new Notice(false, reason, message);
  }

  public static Notice warning(Reason reason, String message) {
    return new Notice(true, reason, message);
  }
}
