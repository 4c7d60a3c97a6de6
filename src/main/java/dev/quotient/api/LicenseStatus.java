package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;

/** Observed state of a License. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class LicenseStatus extends CommonStatus {

  @JsonPropertyDescription(
      "Pending before activates, Active inside the window, Expired after expires.")
  private LicensePhase phase;

  @JsonPropertyDescription("Projects this license upgrades right now.")
  private RunningProjects runningProjects;

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

  @Override
  @JsonPropertyDescription("Valid: whether quota quantities and pod patches are usable.")
  public List<Condition> getConditions() {
    return super.getConditions();
  }

  @Override
  public boolean equals(Object o) {
    if (!super.equals(o)) {
      return false;
    }
    LicenseStatus other = (LicenseStatus) o;
    return Objects.equals(phase, other.phase)
        && Objects.equals(runningProjects, other.runningProjects);
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode() + Objects.hash(phase, runningProjects);
  }
}
