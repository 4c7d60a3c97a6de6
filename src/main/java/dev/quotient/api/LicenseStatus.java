package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;

/** Observed state of a License. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LicenseStatus {

  @JsonPropertyDescription(
      "Pending before activates, Active inside the window, Expired after expires.")
  private LicensePhase phase;

  @JsonPropertyDescription("Projects this license upgrades right now.")
  private RunningProjects runningProjects;

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Valid: whether quota quantities and pod patches are usable.")
  private List<Condition> conditions;

  public LicensePhase getPhase() {
    return phase;
  }

  public void setPhase(LicensePhase phase) {
    this.phase = phase;
  }

  public RunningProjects getRunningProjects() {
    return runningProjects;
  }

  public void setRunningProjects(RunningProjects runningProjects) {
    this.runningProjects = runningProjects;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof LicenseStatus other)) {
      return false;
    }
    return Objects.equals(phase, other.phase)
        && Objects.equals(runningProjects, other.runningProjects)
        && Objects.equals(observedGeneration, other.observedGeneration)
        && Objects.equals(conditions, other.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(phase, runningProjects, observedGeneration, conditions);
  }
}
