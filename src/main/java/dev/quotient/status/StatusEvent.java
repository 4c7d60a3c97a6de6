package dev.quotient.status;

/**
 * An Event that a status change calls for (what {@code kubectl describe} lists next to the
 * conditions), decided by a status builder and written by the reconciler.
 */
public record StatusEvent(Type type, Reason reason, String message) {
  /** The two Event types Kubernetes knows. */
  public enum Type {
    Normal,
    Warning
  }

  public static StatusEvent normal(Reason reason, String message) {
    return new StatusEvent(Type.Normal, reason, message);
  }

  public static StatusEvent warning(Reason reason, String message) {
    return new StatusEvent(Type.Warning, reason, message);
  }
}
