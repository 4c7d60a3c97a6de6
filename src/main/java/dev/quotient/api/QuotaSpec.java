package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;
import java.util.Objects;

/**
 * Resource upgrades: what a License grants, what an admin sets on a Project, and the settings
 * default.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class QuotaSpec {

  @JsonPropertyDescription(
      "CPU limit, a Kubernetes quantity such as 2 or 1500m. The request is this limit divided by the cpuOvercommit setting.")
  @Pattern("^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$")
  private String cpu;

  @JsonPropertyDescription(
      "Memory limit, a Kubernetes quantity such as 8Gi. The request is this limit divided by the memoryOvercommit setting.")
  @Pattern("^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$")
  private String memory;

  @JsonPropertyDescription(
      "Ephemeral storage limit of the project container, a Kubernetes quantity.")
  @Pattern("^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$")
  private String ephemeralStorage;

  @JsonPropertyDescription(
      "GPUs for the project pod. Extended resources are never overcommitted: request equals limit.")
  private GpuSpec gpu;

  @JsonPropertyDescription(
      "Keep the project running: it is restarted when it stops, fails or its node is lost, and never idle-stopped.")
  private Boolean alwaysRunning;

  // Granted by an admin (a license or adminQuota), like alwaysRunning: a "burst" license gives
  // access to other teams' idle share on the condition that it can be taken back.
  @JsonPropertyDescription(
      "Make the project preemptible while this applies: on a DedicatedNodeGroup with team shares and"
          + " overQuota enabled it may borrow idle share of other teams, and is stopped (stopReason"
          + " Preempted) when the owning team needs that share back. The same as the Project's"
          + " spec.preemptible; either one makes it preemptible.")
  private Boolean preemptible;

  @JsonPropertyDescription(
      "Stop the project after this long without activity (Go duration such as 30m, 2h; d for days is accepted).")
  @Pattern("^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h|d))+$")
  private String idleTimeout;

  @JsonPropertyDescription(
      "Stop a GPU project whose GPUs showed no activity for this long (annotation"
          + " quotient.dev/gpu-last-activity on the Project, set by a GPU-metrics agent; Go duration).")
  @Pattern("^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h|d))+$")
  private String gpuIdleTimeout;

  @JsonPropertyDescription(
      "Hard limit on one run of the project, whatever its activity (Go duration).")
  @Pattern("^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h|d))+$")
  private String maxDuration;

  @JsonPropertyDescription(
      "Name of a DedicatedNodeGroup the project must run on (it gets the toleration and a required node affinity).")
  private String dedicatedNodeGroup;

  @JsonPropertyDescription(
      "Ordered DedicatedNodeGroup names: the first with room wins. Takes precedence over dedicatedNodeGroup.")
  private List<String> nodeGroups;

  public String getCpu() {
    return cpu;
  }

  public void setCpu(String cpu) {
    this.cpu = cpu;
  }

  public String getMemory() {
    return memory;
  }

  public void setMemory(String memory) {
    this.memory = memory;
  }

  public String getEphemeralStorage() {
    return ephemeralStorage;
  }

  public void setEphemeralStorage(String ephemeralStorage) {
    this.ephemeralStorage = ephemeralStorage;
  }

  public GpuSpec getGpu() {
    return gpu;
  }

  public void setGpu(GpuSpec gpu) {
    this.gpu = gpu;
  }

  public Boolean getPreemptible() {
    return preemptible;
  }

  public void setPreemptible(Boolean preemptible) {
    this.preemptible = preemptible;
  }

  public Boolean getAlwaysRunning() {
    return alwaysRunning;
  }

  public void setAlwaysRunning(Boolean alwaysRunning) {
    this.alwaysRunning = alwaysRunning;
  }

  public String getGpuIdleTimeout() {
    return gpuIdleTimeout;
  }

  public void setGpuIdleTimeout(String gpuIdleTimeout) {
    this.gpuIdleTimeout = gpuIdleTimeout;
  }

  public String getIdleTimeout() {
    return idleTimeout;
  }

  public void setIdleTimeout(String idleTimeout) {
    this.idleTimeout = idleTimeout;
  }

  public String getMaxDuration() {
    return maxDuration;
  }

  public void setMaxDuration(String maxDuration) {
    this.maxDuration = maxDuration;
  }

  public String getDedicatedNodeGroup() {
    return dedicatedNodeGroup;
  }

  public void setDedicatedNodeGroup(String dedicatedNodeGroup) {
    this.dedicatedNodeGroup = dedicatedNodeGroup;
  }

  public List<String> getNodeGroups() {
    return nodeGroups;
  }

  public void setNodeGroups(List<String> nodeGroups) {
    this.nodeGroups = nodeGroups;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof QuotaSpec other)) {
      return false;
    }
    return Objects.equals(cpu, other.cpu)
        && Objects.equals(memory, other.memory)
        && Objects.equals(ephemeralStorage, other.ephemeralStorage)
        && Objects.equals(gpu, other.gpu)
        && Objects.equals(alwaysRunning, other.alwaysRunning)
        && Objects.equals(preemptible, other.preemptible)
        && Objects.equals(idleTimeout, other.idleTimeout)
        && Objects.equals(gpuIdleTimeout, other.gpuIdleTimeout)
        && Objects.equals(maxDuration, other.maxDuration)
        && Objects.equals(dedicatedNodeGroup, other.dedicatedNodeGroup)
        && Objects.equals(nodeGroups, other.nodeGroups);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        cpu,
        memory,
        ephemeralStorage,
        gpu,
        alwaysRunning,
        preemptible,
        idleTimeout,
        gpuIdleTimeout,
        maxDuration,
        dedicatedNodeGroup,
        nodeGroups);
  }
}
