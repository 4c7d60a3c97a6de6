package dev.quotient.status;

import dev.quotient.api.EffectiveQuotaStatus;
import dev.quotient.api.LicenseResult;
import dev.quotient.api.LicenseState;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ProjectStatus;
import dev.quotient.api.StopReason;
import dev.quotient.pod.PatchRejection;
import dev.quotient.quota.Durations;
import dev.quotient.quota.EffectiveQuota;
import dev.quotient.quota.LicenseVerdict;
import dev.quotient.quota.Quantities;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Previous status + what the reconciler observed and decided -> the next status. Owns the condition
 * types (Ready, QuotaAdmitted, LicensesValid) and their transition rules, so every status write
 * looks the same whichever path produced it.
 */
public final class ProjectStatusBuilder {
  public static final String READY = "Ready";
  public static final String QUOTA_ADMITTED = "QuotaAdmitted";
  public static final String LICENSES_VALID = "LicensesValid";

  private final ProjectStatus previous;
  private final ProjectStatus next;
  private final Long generation;
  private final Instant now;
  private Reason reason;
  private String admittedStatus;
  private Reason admittedReason;
  private String admittedMessage;
  private List<PatchRejection> rejectedPatches = List.of();
  private String licenseNote;

  public ProjectStatusBuilder(ProjectStatus previous, Long generation, Instant now) {
    this.previous = previous == null ? new ProjectStatus() : previous;
    this.generation = generation;
    this.now = now;
    this.next = copy(this.previous);
    this.next.setObservedGeneration(generation);
    this.next.setQueuePosition(null);
  }

  public ProjectStatusBuilder phase(ProjectPhase phase, Reason reason, String message) {
    next.setPhase(phase);
    next.setMessage(message);
    this.reason = reason;
    return this;
  }

  public ProjectStatusBuilder quota(EffectiveQuota q) {
    next.setEffectiveQuota(q == null ? null : toStatus(q));
    return this;
  }

  public ProjectStatusBuilder licenses(List<LicenseVerdict> verdicts) {
    next.setLicenses(verdicts.isEmpty() ? null : toResults(verdicts));
    return this;
  }

  /** Restores what the running pod records about its start. */
  public ProjectStatusBuilder startRecord(StartRecord record) {
    next.setEffectiveQuota(record.quota());
    next.setLicenses(record.licenses().isEmpty() ? null : record.licenses());
    this.rejectedPatches = record.rejectedPatches();
    return this;
  }

  public static List<LicenseResult> toResults(List<LicenseVerdict> verdicts) {
    return verdicts.stream()
        .map(
            v -> {
              LicenseResult r = new LicenseResult();
              r.setName(v.license());
              r.setState(v.state());
              r.setReason(Reason.forLicenseState(v.state()).name());
              r.setMessage(v.message());
              return r;
            })
        .collect(Collectors.toList());
  }

  public ProjectStatusBuilder rejectedPatches(List<PatchRejection> rejected) {
    this.rejectedPatches = rejected;
    return this;
  }

  /**
   * A note about licenses that is not a per-license verdict, e.g. a change waiting for a restart.
   */
  public ProjectStatusBuilder licenseNote(String note) {
    this.licenseNote = note;
    return this;
  }

  public ProjectStatusBuilder pod(String podName, String nodeName, String startedAt) {
    next.setPodName(podName);
    next.setNodeName(nodeName);
    next.setStartedAt(startedAt);
    return this;
  }

  public ProjectStatusBuilder stopped(Instant at, StopReason stopReason) {
    next.setStoppedAt(at == null ? null : at.toString());
    next.setStopReason(stopReason);
    return this;
  }

  /** Applies one lifecycle decision's change to the status. */
  public ProjectStatusBuilder apply(StatusChange c) {
    phase(c.phase(), c.reason(), c.message());
    StatusChange.PodFields p = c.pod();
    pod(p == null ? null : p.name(), p == null ? null : p.node(), p == null ? null : p.startedAt());
    if (c.stop() instanceof StatusChange.Stop.At at) {
      stopped(at.at(), at.reason());
    } else if (c.stop() instanceof StatusChange.Stop.Finished f) {
      stopped(f.at(), f.reason());
      next.setFinishedAt(f.at().toString());
      next.setExitCode(f.exitCode());
      next.setExitReason(f.exitReason());
    } else if (c.stop() instanceof StatusChange.Stop.Clear) {
      stopped(null, null);
    }
    if (c.admitted() != null) {
      this.admittedStatus = c.admitted().status();
      this.admittedReason = c.admitted().reason();
      this.admittedMessage = c.admitted().message();
    }
    if (c.quota() != null) {
      next.setEffectiveQuota(c.quota());
    }
    if (c.licenses() != null) {
      next.setLicenses(c.licenses().isEmpty() ? null : c.licenses());
    }
    if (c.rejectedPatches() != null) {
      this.rejectedPatches = c.rejectedPatches();
    }
    licenseNote(c.licenseNote());
    if (c.skippedNodeGroups() != null) {
      next.setSkippedNodeGroups(
          c.skippedNodeGroups().isEmpty() ? null : List.copyOf(c.skippedNodeGroups()));
    }
    next.setWaitingSince(c.waiting() == null ? null : c.waiting().since().toString());
    next.setQueuePosition(c.waiting() == null ? null : c.waiting().position());
    return this;
  }

  /** The reason of the previous status's Ready condition (PodStarting when unknown). */
  public static Reason readyReason(ProjectStatus status) {
    Condition ready =
        status == null || status.getConditions() == null
            ? null
            : Conditions.find(status.getConditions(), READY);
    if (ready == null || ready.getReason() == null) {
      return Reason.PodStarting;
    }
    try {
      return Reason.valueOf(ready.getReason());
    } catch (IllegalArgumentException e) {
      return Reason.PodStarting;
    }
  }

  public ProjectStatusBuilder lastActivity(String lastActivity) {
    next.setLastActivity(lastActivity);
    return this;
  }

  public ProjectStatusBuilder queuePosition(Integer position) {
    next.setQueuePosition(position);
    return this;
  }

  public ProjectStatusBuilder admitted(boolean admitted, Reason reason, String message) {
    this.admittedStatus = admitted ? Conditions.TRUE : Conditions.FALSE;
    this.admittedReason = reason;
    this.admittedMessage = message;
    return this;
  }

  public ProjectStatusBuilder notRequested() {
    this.admittedStatus = Conditions.UNKNOWN;
    this.admittedReason = Reason.NotRequested;
    this.admittedMessage = "The project is not asking to run";
    return this;
  }

  /**
   * True while it runs; Unknown while it runs on a node that has not reported lately (the pod is
   * there, but whether it serves nobody can tell), False otherwise.
   */
  private String readyStatus(boolean running) {
    if (!running) {
      return Conditions.FALSE;
    }
    return reason == Reason.NodeNotReporting ? Conditions.UNKNOWN : Conditions.TRUE;
  }

  public ProjectStatus build() {
    List<Condition> c = next.getConditions();
    boolean running = next.getPhase() == ProjectPhase.Running;
    c =
        Conditions.set(
            c,
            READY,
            readyStatus(running),
            (reason == null ? Reason.PodStarting : reason).name(),
            next.getMessage(),
            generation,
            now);
    if (admittedStatus != null) {
      c =
          Conditions.set(
              c,
              QUOTA_ADMITTED,
              admittedStatus,
              admittedReason.name(),
              admittedMessage,
              generation,
              now);
    }
    c = licensesCondition(c);
    next.setConditions(c);
    return next;
  }

  private List<Condition> licensesCondition(List<Condition> c) {
    List<LicenseResult> results = next.getLicenses() == null ? List.of() : next.getLicenses();
    List<String> problems = new ArrayList<>();
    Reason first = null;
    for (LicenseResult r : results) {
      if (r.getState() != LicenseState.Applied) {
        problems.add(r.getMessage());
        first = first == null ? Reason.forLicenseState(r.getState()) : first;
      }
    }
    for (PatchRejection p : rejectedPatches) {
      problems.add("pod patch of license '" + p.license() + "' was not applied: " + p.reason());
      first = first == null ? Reason.PodPatchRejected : first;
    }
    if (licenseNote != null) {
      problems.add(licenseNote);
      first = first == null ? Reason.LicenseChangePending : first;
    }
    if (first == null) {
      String msg =
          results.isEmpty()
              ? "No licenses requested; the default quota applies"
              : "All " + results.size() + " license(s) applied";
      return Conditions.set(
          c, LICENSES_VALID, Conditions.TRUE, Reason.LicensesApplied.name(), msg, generation, now);
    }
    return Conditions.set(
        c,
        LICENSES_VALID,
        Conditions.FALSE,
        first.name(),
        String.join("; ", problems),
        generation,
        now);
  }

  public static EffectiveQuotaStatus toStatus(EffectiveQuota q) {
    EffectiveQuotaStatus s = new EffectiveQuotaStatus();
    s.setCpuLimit(Quantities.formatCpu(q.limits().cpuMillis()));
    s.setCpuRequest(Quantities.formatCpu(q.requests().cpuMillis()));
    s.setMemoryLimit(Quantities.formatBytes(q.limits().memoryBytes()));
    s.setMemoryRequest(Quantities.formatBytes(q.requests().memoryBytes()));
    s.setEphemeralStorage(
        q.ephemeralStorageBytes() > 0 ? Quantities.formatBytes(q.ephemeralStorageBytes()) : null);
    s.setGpu((int) q.limits().gpu());
    s.setGpuResource(q.gpuResource());
    s.setAlwaysRunning(q.alwaysRunning());
    s.setAlwaysRunningBy(q.alwaysRunningBy());
    s.setPreemptibleBy(q.preemptibleBy());
    s.setIdleTimeout(q.idleTimeout() == null ? null : Durations.format(q.idleTimeout()));
    s.setGpuIdleTimeout(q.gpuIdleTimeout() == null ? null : Durations.format(q.gpuIdleTimeout()));
    s.setMaxDuration(q.maxDuration() == null ? null : Durations.format(q.maxDuration()));
    s.setNodeGroup(q.nodeGroups().isEmpty() ? null : q.nodeGroups().get(0));
    return s;
  }

  private static ProjectStatus copy(ProjectStatus s) {
    ProjectStatus c = new ProjectStatus();
    c.setPhase(s.getPhase());
    c.setMessage(s.getMessage());
    c.setEffectiveQuota(s.getEffectiveQuota());
    c.setLicenses(s.getLicenses());
    c.setQueuePosition(s.getQueuePosition());
    c.setPodName(s.getPodName());
    c.setNodeName(s.getNodeName());
    c.setStartedAt(s.getStartedAt());
    c.setLastActivity(s.getLastActivity());
    c.setStoppedAt(s.getStoppedAt());
    c.setStopReason(s.getStopReason());
    c.setWaitingSince(s.getWaitingSince());
    c.setSkippedNodeGroups(s.getSkippedNodeGroups());
    c.setExitCode(s.getExitCode());
    c.setExitReason(s.getExitReason());
    c.setFinishedAt(s.getFinishedAt());
    c.setObservedGeneration(s.getObservedGeneration());
    c.setConditions(s.getConditions() == null ? null : new ArrayList<>(s.getConditions()));
    return c;
  }
}
