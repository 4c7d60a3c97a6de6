package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Objects;

/** Observed state of a Project. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ProjectStatus extends CommonStatus {

  @JsonPropertyDescription(
      "Stopped, WaitingForResources, Starting, Running, Stopping or Failed; an ephemeral run ends Succeeded or Failed.")
  private ProjectPhase phase;

  @JsonPropertyDescription(
      "What is happening or what blocks the project, e.g. the bottleneck resource.")
  private String message;

  @JsonPropertyDescription("Quota of the current (or last) run.")
  private EffectiveQuotaStatus effectiveQuota;

  @JsonPropertyDescription("Per license: whether and why it applies.")
  private List<LicenseResult> licenses;

  @JsonPropertyDescription("Place in the wait queue, 1 = next to wake (WaitingForResources only).")
  private Integer queuePosition;

  @JsonPropertyDescription("Name of the project pod.")
  private String podName;

  @JsonPropertyDescription("Node the project pod runs on.")
  private String nodeName;

  @JsonPropertyDescription("When the current run started (RFC 3339).")
  private String startedAt;

  @JsonPropertyDescription("Last activity seen (annotation quotient.dev/last-activity).")
  private String lastActivity;

  @JsonPropertyDescription("When the project last stopped (RFC 3339).")
  private String stoppedAt;

  @JsonPropertyDescription(
      "Why the project last stopped: UserStopped, IdleTimeout, MaxDuration, PendingTimeout,"
          + " PodFailed, NodeLost, Preempted, GpuIdle or Finished (an ephemeral run's command ended).")
  private StopReason stopReason;

  @JsonPropertyDescription(
      "When the project started waiting for resources (RFC 3339): its place in the queues, kept"
          + " across operator restarts (WaitingForResources only).")
  private String waitingSince;

  @JsonPropertyDescription(
      "Node groups its pod could not be scheduled in within pendingTimeout: the next start tries"
          + " the next group of its list (cleared once it runs).")
  private List<String> skippedNodeGroups;

  @JsonPropertyDescription(
      "An ephemeral run's exit code (its container's terminated state); absent when it was stopped before its command ended.")
  private Integer exitCode;

  @JsonPropertyDescription(
      "Why an ephemeral run's container terminated, as the kubelet said (Completed, Error, OOMKilled, ...).")
  private String exitReason;

  @JsonPropertyDescription(
      "When an ephemeral run finished (RFC 3339); it never runs again, and the operator deletes the Project ephemeralRetention later.")
  private String finishedAt;

  public ProjectPhase getPhase() {
    return phase;
  }

  public void setPhase(ProjectPhase phase) {
    this.phase = phase;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public EffectiveQuotaStatus getEffectiveQuota() {
    return effectiveQuota;
  }

  public void setEffectiveQuota(EffectiveQuotaStatus effectiveQuota) {
    this.effectiveQuota = effectiveQuota;
  }

  public List<LicenseResult> getLicenses() {
    return licenses;
  }

  public void setLicenses(List<LicenseResult> licenses) {
    this.licenses = licenses;
  }

  public Integer getQueuePosition() {
    return queuePosition;
  }

  public void setQueuePosition(Integer queuePosition) {
    this.queuePosition = queuePosition;
  }

  public String getPodName() {
    return podName;
  }

  public void setPodName(String podName) {
    this.podName = podName;
  }

  public String getNodeName() {
    return nodeName;
  }

  public void setNodeName(String nodeName) {
    this.nodeName = nodeName;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getLastActivity() {
    return lastActivity;
  }

  public void setLastActivity(String lastActivity) {
    this.lastActivity = lastActivity;
  }

  public String getStoppedAt() {
    return stoppedAt;
  }

  public void setStoppedAt(String stoppedAt) {
    this.stoppedAt = stoppedAt;
  }

  public StopReason getStopReason() {
    return stopReason;
  }

  public void setStopReason(StopReason stopReason) {
    this.stopReason = stopReason;
  }

  public Integer getExitCode() {
    return exitCode;
  }

  public void setExitCode(Integer exitCode) {
    this.exitCode = exitCode;
  }

  public String getExitReason() {
    return exitReason;
  }

  public void setExitReason(String exitReason) {
    this.exitReason = exitReason;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
  }

  public List<String> getSkippedNodeGroups() {
    return skippedNodeGroups;
  }

  public void setSkippedNodeGroups(List<String> skippedNodeGroups) {
    this.skippedNodeGroups = skippedNodeGroups;
  }

  public String getWaitingSince() {
    return waitingSince;
  }

  public void setWaitingSince(String waitingSince) {
    this.waitingSince = waitingSince;
  }

  @Override
  @JsonPropertyDescription("Ready, QuotaAdmitted and LicensesValid.")
  public List<Condition> getConditions() {
    return super.getConditions();
  }

  @Override
  public boolean equals(Object o) {
    if (!super.equals(o)) {
      return false;
    }
    ProjectStatus other = (ProjectStatus) o;
    return Objects.equals(phase, other.phase)
        && Objects.equals(message, other.message)
        && Objects.equals(effectiveQuota, other.effectiveQuota)
        && Objects.equals(licenses, other.licenses)
        && Objects.equals(queuePosition, other.queuePosition)
        && Objects.equals(podName, other.podName)
        && Objects.equals(nodeName, other.nodeName)
        && Objects.equals(startedAt, other.startedAt)
        && Objects.equals(lastActivity, other.lastActivity)
        && Objects.equals(stoppedAt, other.stoppedAt)
        && Objects.equals(stopReason, other.stopReason)
        && Objects.equals(waitingSince, other.waitingSince)
        && Objects.equals(skippedNodeGroups, other.skippedNodeGroups)
        && Objects.equals(exitCode, other.exitCode)
        && Objects.equals(exitReason, other.exitReason)
        && Objects.equals(finishedAt, other.finishedAt);
  }

  @Override
  public int hashCode() {
    return 31 * super.hashCode()
        + Objects.hash(
            phase,
            message,
            effectiveQuota,
            licenses,
            queuePosition,
            podName,
            nodeName,
            startedAt,
            lastActivity,
            stoppedAt,
            stopReason,
            waitingSince,
            skippedNodeGroups,
            exitCode,
            exitReason,
            finishedAt);
  }
}
