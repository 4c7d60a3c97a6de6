package dev.quotient.status;

import dev.quotient.api.EffectiveQuotaStatus;
import dev.quotient.api.LicenseResult;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.StopReason;
import dev.quotient.pod.PatchRejection;
import java.time.Instant;
import java.util.List;

/**
 * What one lifecycle decision changes in a Project's status; {@link ProjectStatusBuilder} turns it
 * into the next status. Fields left null keep what the previous status had, unless the comment says
 * otherwise.
 *
 * @param pod the pod fields; null clears them (no pod)
 * @param stop how status.stoppedAt and stopReason change
 * @param admitted the QuotaAdmitted condition; null keeps it
 * @param quota the quota to show; null keeps it
 * @param licenses the license verdicts to show; null keeps them
 * @param rejectedPatches license patches that were left out (shown in LicensesValid)
 * @param licenseNote a note about licenses that is not a per-license verdict
 * @param waiting waitingSince and queuePosition; null clears them (not waiting)
 * @param skippedNodeGroups node groups its pod could not be scheduled in, passed over by the next
 *     start; null keeps them, empty clears them
 */
public record StatusChange(
    ProjectPhase phase,
    Reason reason,
    String message,
    PodFields pod,
    Stop stop,
    Admitted admitted,
    EffectiveQuotaStatus quota,
    List<LicenseResult> licenses,
    List<PatchRejection> rejectedPatches,
    String licenseNote,
    Waiting waiting,
    List<String> skippedNodeGroups) {

  /** status.podName, nodeName and startedAt. */
  public record PodFields(String name, String node, String startedAt) {}

  /** status.waitingSince and queuePosition (null position: it never fits). */
  public record Waiting(Instant since, Integer position) {}

  /** The QuotaAdmitted condition: True, False or Unknown, with its reason and message. */
  public record Admitted(String status, Reason reason, String message) {
    public static Admitted yes(String message) {
      return new Admitted(Conditions.TRUE, Reason.QuotaAdmitted, message);
    }

    public static Admitted no(Reason reason, String message) {
      return new Admitted(Conditions.FALSE, reason, message);
    }

    public static final Admitted NOT_REQUESTED =
        new Admitted(Conditions.UNKNOWN, Reason.NotRequested, "The project is not asking to run");
  }

  /** How status.stoppedAt and stopReason change. */
  public sealed interface Stop {
    /** Keep what the previous status says. */
    Stop KEEP = new Keep();

    /** The project is not stopped: clear both. */
    Stop CLEAR = new Clear();

    record Keep() implements Stop {}

    record Clear() implements Stop {}

    /** Stopped for this reason at this time. */
    record At(StopReason reason, Instant at) implements Stop {}

    /**
     * An ephemeral run finished, for this reason, at this time: status.finishedAt, and the exit
     * code and reason when its command ended (null when it was stopped before).
     */
    record Finished(StopReason reason, Instant at, Integer exitCode, String exitReason)
        implements Stop {}
  }

  /** Starts a change with only phase, reason and message set (pod cleared, the rest kept). */
  public static StatusChange of(ProjectPhase phase, Reason reason, String message) {
    return new StatusChange(
        phase, reason, message, null, Stop.KEEP, null, null, null, null, null, null, null);
  }

  public StatusChange pod(PodFields p) {
    return new StatusChange(
        phase,
        reason,
        message,
        p,
        stop,
        admitted,
        quota,
        licenses,
        rejectedPatches,
        licenseNote,
        waiting,
        skippedNodeGroups);
  }

  public StatusChange stop(Stop s) {
    return new StatusChange(
        phase,
        reason,
        message,
        pod,
        s,
        admitted,
        quota,
        licenses,
        rejectedPatches,
        licenseNote,
        waiting,
        skippedNodeGroups);
  }

  public StatusChange admitted(Admitted a) {
    return new StatusChange(
        phase,
        reason,
        message,
        pod,
        stop,
        a,
        quota,
        licenses,
        rejectedPatches,
        licenseNote,
        waiting,
        skippedNodeGroups);
  }

  public StatusChange quota(
      EffectiveQuotaStatus q, List<LicenseResult> l, List<PatchRejection> rejected) {
    return new StatusChange(
        phase,
        reason,
        message,
        pod,
        stop,
        admitted,
        q,
        l,
        rejected,
        licenseNote,
        waiting,
        skippedNodeGroups);
  }

  public StatusChange licenseNote(String note) {
    return new StatusChange(
        phase,
        reason,
        message,
        pod,
        stop,
        admitted,
        quota,
        licenses,
        rejectedPatches,
        note,
        waiting,
        skippedNodeGroups);
  }

  public StatusChange skippedNodeGroups(List<String> groups) {
    return new StatusChange(
        phase,
        reason,
        message,
        pod,
        stop,
        admitted,
        quota,
        licenses,
        rejectedPatches,
        licenseNote,
        waiting,
        groups);
  }

  public StatusChange waiting(Waiting w) {
    return new StatusChange(
        phase,
        reason,
        message,
        pod,
        stop,
        admitted,
        quota,
        licenses,
        rejectedPatches,
        licenseNote,
        w,
        skippedNodeGroups);
  }
}
