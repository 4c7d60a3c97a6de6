package dev.quotient.status;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Sets conditions the Kubernetes way: one entry per type, and {@code lastTransitionTime} changes
 * only when {@code status} flips.
 */
public final class Conditions {
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private Conditions() {}

  public static List<Condition> set(
      List<Condition> current,
      String type,
      String status,
      String reason,
      String message,
      Long generation,
      Instant now) {
    List<Condition> out = new ArrayList<>(current == null ? List.of() : current);
    int at = indexOf(out, type);
    Condition previous = at < 0 ? null : out.get(at);
    String transition =
        previous != null
                && Objects.equals(previous.getStatus(), status)
                && previous.getLastTransitionTime() != null
            ? previous.getLastTransitionTime()
            : now.toString();
    Condition next = new Condition();
    next.setType(type);
    next.setStatus(status);
    next.setReason(reason);
    next.setMessage(message == null ? "" : message);
    next.setObservedGeneration(generation);
    next.setLastTransitionTime(transition);
    if (at < 0) {
      out.add(next);
    } else {
      out.set(at, next);
    }
    return out;
  }

  public static Condition find(List<Condition> conditions, String type) {
    int at = conditions == null ? -1 : indexOf(conditions, type);
    return at < 0 ? null : conditions.get(at);
  }

  // A loop, not a stream: every look at every project sets several conditions, and the stream's
  // set-up was a tenth of a timer pass.
  private static int indexOf(List<Condition> conditions, String type) {
    for (int i = 0; i < conditions.size(); i++) {
      if (type.equals(conditions.get(i).getType())) {
        return i;
      }
    }
    return -1;
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    Condition c = find(conditions, type);
    return c != null && TRUE.equals(c.getStatus());
  }
}
