package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;

/** Observed state of a DedicatedNodeGroup. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DedicatedNodeGroupStatus {

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

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Ready: whether members were found and labelled.")
  private List<Condition> conditions;

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
    if (!(o instanceof DedicatedNodeGroupStatus other)) {
      return false;
    }
    return Objects.equals(nodes, other.nodes)
        && Objects.equals(nodeCount, other.nodeCount)
        && Objects.equals(capacity, other.capacity)
        && Objects.equals(allocated, other.allocated)
        && Objects.equals(runningProjects, other.runningProjects)
        && Objects.equals(observedGeneration, other.observedGeneration)
        && Objects.equals(conditions, other.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        nodes, nodeCount, capacity, allocated, runningProjects, observedGeneration, conditions);
  }
}
