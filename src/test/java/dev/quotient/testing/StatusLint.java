package dev.quotient.testing;

import dev.quotient.api.DedicatedNodeGroup;
import dev.quotient.api.License;
import dev.quotient.api.Project;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks every condition and Event the operator produced against the Kubernetes API conventions
 * (RELIABILITY.md "Status conditions"), so each integration test lints what it made happen, not a
 * hand-picked sample.
 */
public final class StatusLint {
  private static final Pattern REASON = Pattern.compile("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$");
  private static final Pattern TYPE = Pattern.compile("^[A-Z][A-Za-z0-9]*$");
  private static final Set<String> STATUSES = Set.of("True", "False", "Unknown");

  private StatusLint() {}

  /** Problems found, one line each naming the object; empty when all is well. */
  public static List<String> problems(KubernetesClient client) {
    List<String> problems = new ArrayList<>();
    for (Project p : client.resources(Project.class).inAnyNamespace().list().getItems()) {
      if (p.getStatus() != null) {
        check(p, p.getStatus().getConditions(), problems);
      }
    }
    for (License l : client.resources(License.class).list().getItems()) {
      if (l.getStatus() != null) {
        check(l, l.getStatus().getConditions(), problems);
      }
    }
    for (DedicatedNodeGroup g : client.resources(DedicatedNodeGroup.class).list().getItems()) {
      if (g.getStatus() != null) {
        check(g, g.getStatus().getConditions(), problems);
      }
    }
    client.v1().events().inAnyNamespace().list().getItems().stream()
        .filter(
            e ->
                e.getReason() == null
                    || !REASON.matcher(e.getReason()).matches()
                    || e.getMessage() == null
                    || e.getMessage().isBlank())
        .forEach(
            e ->
                problems.add(
                    "Event on "
                        + e.getInvolvedObject().getKind()
                        + " "
                        + e.getInvolvedObject().getName()
                        + ": reason '"
                        + e.getReason()
                        + "', message '"
                        + e.getMessage()
                        + "'"));
    return problems;
  }

  private static void check(HasMetadata owner, List<Condition> conditions, List<String> problems) {
    if (conditions == null) {
      return;
    }
    String who = owner.getKind() + " " + owner.getMetadata().getName();
    for (Condition c : conditions) {
      String at = who + " condition " + c.getType();
      if (c.getType() == null || !TYPE.matcher(c.getType()).matches()) {
        problems.add(at + ": type is not PascalCase");
      }
      if (!STATUSES.contains(c.getStatus())) {
        problems.add(at + ": status '" + c.getStatus() + "' is not True/False/Unknown");
      }
      if (c.getReason() == null || !REASON.matcher(c.getReason()).matches()) {
        problems.add(at + ": reason '" + c.getReason() + "' is not CamelCase");
      }
      if (c.getMessage() == null || c.getMessage().isBlank()) {
        problems.add(at + ": no message");
      }
      if (c.getLastTransitionTime() == null) {
        problems.add(at + ": no lastTransitionTime");
      }
      if (c.getObservedGeneration() != null
          && owner.getMetadata().getGeneration() != null
          && c.getObservedGeneration() > owner.getMetadata().getGeneration()) {
        problems.add(
            at
                + ": observedGeneration "
                + c.getObservedGeneration()
                + " ahead of generation "
                + owner.getMetadata().getGeneration());
      }
    }
  }
}
