package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The quota the project runs (or will run) with. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class EffectiveQuotaStatus {

  @JsonPropertyDescription("CPU limit of the project container.")
  private String cpuLimit;

  @JsonPropertyDescription("CPU request: the limit divided by the CPU overcommit ratio.")
  private String cpuRequest;

  @JsonPropertyDescription("Memory limit of the project container.")
  private String memoryLimit;

  @JsonPropertyDescription("Memory request: the limit divided by the memory overcommit ratio.")
  private String memoryRequest;

  @JsonPropertyDescription("Ephemeral storage limit, if any.")
  private String ephemeralStorage;

  @JsonPropertyDescription("GPUs (request == limit).")
  private Integer gpu;

  @JsonPropertyDescription("Extended resource name of the GPUs.")
  private String gpuResource;

  @JsonPropertyDescription("Whether the project is kept running.")
  private Boolean alwaysRunning;

  @JsonPropertyDescription(
      "What keeps it running (a license, spec.adminQuota or the settings' defaultQuota): it runs"
          + " even with desiredState Stopped; remove that to stop it for real.")
  private String alwaysRunningBy;

  @JsonPropertyDescription(
      "What makes it preemptible besides spec.preemptible (a license or spec.adminQuota): it may"
          + " borrow other teams' idle share of a node group and be stopped to give it back.")
  private String preemptibleBy;

  @JsonPropertyDescription("Idle time after which the project is stopped.")
  private String idleTimeout;

  @JsonPropertyDescription("GPU idle time after which the project is stopped (reason GpuIdle).")
  private String gpuIdleTimeout;

  @JsonPropertyDescription("Hard limit on one run.")
  private String maxDuration;

  @JsonPropertyDescription("DedicatedNodeGroup the project runs on, if any.")
  private String nodeGroup;

  public String getCpuLimit() {
    return cpuLimit;
  }

  public void setCpuLimit(String cpuLimit) {
    this.cpuLimit = cpuLimit;
  }

  public String getCpuRequest() {
    return cpuRequest;
  }

  public void setCpuRequest(String cpuRequest) {
    this.cpuRequest = cpuRequest;
  }

  public String getMemoryLimit() {
    return memoryLimit;
  }

  public void setMemoryLimit(String memoryLimit) {
    this.memoryLimit = memoryLimit;
  }

  public String getMemoryRequest() {
    return memoryRequest;
  }

  public void setMemoryRequest(String memoryRequest) {
    this.memoryRequest = memoryRequest;
  }

  public String getEphemeralStorage() {
    return ephemeralStorage;
  }

  public void setEphemeralStorage(String ephemeralStorage) {
    this.ephemeralStorage = ephemeralStorage;
  }

  public Integer getGpu() {
    return gpu;
  }

  public void setGpu(Integer gpu) {
    this.gpu = gpu;
  }

  public String getGpuResource() {
    return gpuResource;
  }

  public void setGpuResource(String gpuResource) {
    this.gpuResource = gpuResource;
  }

  public Boolean getAlwaysRunning() {
    return alwaysRunning;
  }

  public void setAlwaysRunning(Boolean alwaysRunning) {
    this.alwaysRunning = alwaysRunning;
  }

  public String getPreemptibleBy() {
    return preemptibleBy;
  }

  public void setPreemptibleBy(String preemptibleBy) {
    this.preemptibleBy = preemptibleBy;
  }

  public String getAlwaysRunningBy() {
    return alwaysRunningBy;
  }

  public void setAlwaysRunningBy(String alwaysRunningBy) {
    this.alwaysRunningBy = alwaysRunningBy;
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

  public String getNodeGroup() {
    return nodeGroup;
  }

  public void setNodeGroup(String nodeGroup) {
    this.nodeGroup = nodeGroup;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof EffectiveQuotaStatus other)) {
      return false;
    }
    return Objects.equals(cpuLimit, other.cpuLimit)
        && Objects.equals(cpuRequest, other.cpuRequest)
        && Objects.equals(memoryLimit, other.memoryLimit)
        && Objects.equals(memoryRequest, other.memoryRequest)
        && Objects.equals(ephemeralStorage, other.ephemeralStorage)
        && Objects.equals(gpu, other.gpu)
        && Objects.equals(gpuResource, other.gpuResource)
        && Objects.equals(alwaysRunning, other.alwaysRunning)
        && Objects.equals(alwaysRunningBy, other.alwaysRunningBy)
        && Objects.equals(preemptibleBy, other.preemptibleBy)
        && Objects.equals(idleTimeout, other.idleTimeout)
        && Objects.equals(gpuIdleTimeout, other.gpuIdleTimeout)
        && Objects.equals(maxDuration, other.maxDuration)
        && Objects.equals(nodeGroup, other.nodeGroup);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        cpuLimit,
        cpuRequest,
        memoryLimit,
        memoryRequest,
        ephemeralStorage,
        gpu,
        gpuResource,
        alwaysRunning,
        alwaysRunningBy,
        preemptibleBy,
        idleTimeout,
        gpuIdleTimeout,
        maxDuration,
        nodeGroup);
  }
}
