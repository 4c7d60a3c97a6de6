package dev.quotient.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
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
    Condition previous = find(out, type);
    String transition =
        previous != null
                && Objects.equals(previous.getStatus(), status)
                && previous.getLastTransitionTime() != null
            ? previous.getLastTransitionTime()
            : now.toString();
    Condition next =
        new ConditionBuilder()
            .withType(type)
            .withStatus(status)
            .withReason(reason)
            .withMessage(message == null ? "" : message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(transition)
            .build();
    if (previous == null) {
      out.add(next);
    } else {
      out.set(out.indexOf(previous), next);
    }
    return out;
  }

  public static Condition find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    Condition c = find(conditions, type);
    return c != null && TRUE.equals(c.getStatus());
  }
}
