package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One team's share of a DedicatedNodeGroup and what of it is used, borrowed and lent. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class TeamShareStatus {

  @JsonPropertyDescription(
      "The team (spec.teams[].name); 'unassigned' for namespaces in no team, whose share is what"
          + " the teams' shares leave of the capacity.")
  private String name;

  @JsonPropertyDescription("The guaranteed share.")
  private ResourceTotals share;

  @JsonPropertyDescription("Requests of the team's projects held within its share.")
  private ResourceTotals used;

  @JsonPropertyDescription(
      "Requests of the team's preemptible projects held beyond its share, on idle share of other"
          + " teams (over-quota).")
  private ResourceTotals borrowing;

  @JsonPropertyDescription(
      "The part of the team's idle share that other teams' preemptible projects hold now: the"
          + " team gets it back by preemption when its projects need it.")
  private ResourceTotals lent;

  @JsonPropertyDescription("The team's projects on the group (within share or borrowing).")
  private Integer runningProjects;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public ResourceTotals getShare() {
    return share;
  }

  public void setShare(ResourceTotals share) {
    this.share = share;
  }

  public ResourceTotals getUsed() {
    return used;
  }

  public void setUsed(ResourceTotals used) {
    this.used = used;
  }

  public ResourceTotals getBorrowing() {
    return borrowing;
  }

  public void setBorrowing(ResourceTotals borrowing) {
    this.borrowing = borrowing;
  }

  public ResourceTotals getLent() {
    return lent;
  }

  public void setLent(ResourceTotals lent) {
    this.lent = lent;
  }

  public Integer getRunningProjects() {
    return runningProjects;
  }

  public void setRunningProjects(Integer runningProjects) {
    this.runningProjects = runningProjects;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TeamShareStatus other)) {
      return false;
    }
    return Objects.equals(name, other.name)
        && Objects.equals(share, other.share)
        && Objects.equals(used, other.used)
        && Objects.equals(borrowing, other.borrowing)
        && Objects.equals(lent, other.lent)
        && Objects.equals(runningProjects, other.runningProjects);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, share, used, borrowing, lent, runningProjects);
  }
}
