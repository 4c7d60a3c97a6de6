package dev.quotient.status;

import dev.quotient.api.LicensePhase;
import dev.quotient.api.LicenseStatus;
import dev.quotient.api.RunningProjects;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Previous status + what the License reconciler observed -> the next status and the Events the
 * change calls for. Owns the condition type {@code Valid}, its reasons and messages.
 */
public final class LicenseStatusBuilder {
  public static final String VALID = "Valid";

  /**
   * What the reconciler observed.
   *
   * @param phase where now is in the license's activates/expires window (Pending when the window
   *     cannot be read; {@code problems} then says why)
   * @param holders namespace/name of each project holding one of its run slots, in order
   * @param problems why the license is unusable (bad quantities, pod patches); empty when usable
   */
  public record Observed(LicensePhase phase, List<String> holders, List<String> problems) {
    public Observed {
      holders = List.copyOf(holders);
      problems = List.copyOf(problems);
    }
  }

  /** The next status and the Events to record with it. */
  public record Outcome(LicenseStatus status, List<StatusEvent> events) {
    public Outcome {
      events = List.copyOf(events);
    }
  }

  private LicenseStatusBuilder() {}

  public static Outcome next(
      LicenseStatus previous, Observed observed, Long generation, Instant now) {
    LicenseStatus prev = previous == null ? new LicenseStatus() : previous;
    LicenseStatus next = new LicenseStatus();
    next.setObservedGeneration(generation);
    next.setPhase(observed.phase());
    RunningProjects running = new RunningProjects();
    running.setCount(observed.holders().size());
    running.setNames(observed.holders().isEmpty() ? null : observed.holders());
    next.setRunningProjects(running);
    List<StatusEvent> events = new ArrayList<>();
    if (observed.problems().isEmpty()) {
      next.setConditions(
          Conditions.set(
              prev.getConditions(),
              VALID,
              Conditions.TRUE,
              Reason.LicenseValid.name(),
              "Quota and pod patches are usable",
              generation,
              now));
    } else {
      String problems = String.join("; ", observed.problems());
      next.setConditions(
          Conditions.set(
              prev.getConditions(),
              VALID,
              Conditions.FALSE,
              Reason.LicenseInvalid.name(),
              problems + "; projects skip this license until it is fixed",
              generation,
              now));
      Condition was = Conditions.find(prev.getConditions(), VALID);
      if (was == null || !Conditions.FALSE.equals(was.getStatus())) {
        events.add(StatusEvent.warning(Reason.LicenseInvalid, problems));
      }
    }
    if (prev.getPhase() != null && prev.getPhase() != next.getPhase()) {
      boolean expired = next.getPhase() == LicensePhase.Expired;
      events.add(
          StatusEvent.normal(
              expired ? Reason.LicenseExpired : Reason.LicenseActivated,
              "License is now "
                  + next.getPhase()
                  + (expired ? "; running projects keep its quota until their next start" : "")));
    }
    return new Outcome(next, events);
  }
}
