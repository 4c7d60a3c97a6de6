package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;

/** Observed state of a DedicatedNodeGroup. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class DedicatedNodeGroupStatus extends CommonStatus {

  @JsonPropertyDescription("Member nodes (labelled and, unless taint is false, tainted).")
  private List<String> nodes;

  @JsonPropertyDescription("Number of member nodes.")
  private Integer nodeCount;

  @JsonPropertyDescription("Sum of the members' allocatable resources.")
  private ResourceTotals capacity;

  @JsonPropertyDescription("Sum of the requests of project pods on the members.")
  private ResourceTotals allocated;

  @JsonPropertyDescription("Project pods on the members.")
  private Integer runningProjects;

  @JsonPropertyDescription(
      "Per team share (spec.teams, then 'unassigned'): share, used, borrowing and lent.")
  private List<TeamShareStatus> teams;

  public List<TeamShareStatus> getTeams() {
    return teams;
  }

  public void setTeams(List<TeamShareStatus> teams) {
    this.teams = teams;
  }

  public List<String> getNodes() {
    return nodes;
  }

  public void setNodes(List<String> nodes) {
    this.nodes = nodes;
  }

  public Integer getNodeCount() {
    return nodeCount;
  }

  public void setNodeCount(Integer nodeCount) {
    this.nodeCount = nodeCount;
  }

  public ResourceTotals getCapacity() {
    return capacity;
  }

  public void setCapacity(ResourceTotals capacity) {
    this.capacity = capacity;
  }

  public ResourceTotals getAllocated() {
    return allocated;
  }

  public void setAllocated(ResourceTotals allocated) {
    this.allocated = allocated;
  }

  public Integer getRunningProjects() {
    return runningProjects;
  }

  public void setRunningProjects(Integer runningProjects) {
    this.runningProjects = runningProjects;
  }

  @Override
  @JsonPropertyDescription(
      "Ready: whether members were found and labelled. TeamShares: whether the team shares fit the capacity and could be read.")
  public List<Condition> getConditions() {
    return super.getConditions();
  }

  @Override
  public boolean equals(Object o) {
    if (!super.equals(o)) {
      return false;
    }
    DedicatedNodeGroupStatus other = (DedicatedNodeGroupStatus) o;
    return Objects.equals(nodes, other.nodes)
        && Objects.equals(nodeCount, other.nodeCount)
        && Objects.equals(capacity, other.capacity)
        && Objects.equals(allocated, other.allocated)
        && Objects.equals(runningProjects, other.runningProjects)
        && Objects.equals(teams, other.teams);
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode()
        + Objects.hash(nodes, nodeCount, capacity, allocated, runningProjects, teams);
  }
}
