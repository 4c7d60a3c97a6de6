package dev.quotient.lifecycle;

import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ProjectStatus;
import dev.quotient.api.StopReason;
import dev.quotient.quota.Durations;
import dev.quotient.settings.Settings;
import dev.quotient.status.ContainerExit;
import dev.quotient.status.PodObservation;
import dev.quotient.status.ProjectStatusBuilder;
import dev.quotient.status.Reason;
import dev.quotient.status.StatusChange;
import dev.quotient.status.StatusChange.Admitted;
import dev.quotient.status.StatusChange.PodFields;
import dev.quotient.status.StatusChange.Stop;
import dev.quotient.status.StatusEvent;
import dev.quotient.timers.ProjectTimers;
import dev.quotient.timers.TimerDecision;
import dev.quotient.timers.TimerInput;
import java.time.Instant;
import java.util.List;

/**
 * The lifecycle of an ephemeral run (spec.lifetime: Ephemeral), the part that differs from a
 * workspace's: its command runs once. When its container terminates the result is recorded first
 * (Succeeded or Failed, exit code, finishedAt) while the pod still shows it, then the pod is
 * deleted (a finished pod would hold its node's resources for nothing) and the record kept in the
 * status for ephemeralRetention, after which the Project itself is deleted. A finished run never
 * starts again; idle timers and alwaysRunning do not apply, maxDuration does. Admission, placement
 * and the pod going away are a workspace's.
 */
final class EphemeralRun {
  private static final String ONCE = "; a run does not run again (create a new Project for that)";

  private EphemeralRun() {}

  static LifecycleDecision decide(ProjectObservation o, Settings s, Instant now) {
    ProjectStatus prev = o.previous();
    PodState pod = o.pod();
    if (prev.getFinishedAt() != null) {
      return finished(o, pod, s, now);
    }
    if (!o.wantsRunning()) {
      // Before its pod exists a run is merely not started yet: setting Running starts it.
      return pod != null ? stoppedByUser(o, pod, now) : Lifecycle.userStop(o, null, now);
    }
    if (pod == null) {
      return ranBefore(prev) ? podLost(o, now) : Lifecycle.notRunning(o, s, now);
    }
    return running(o, pod, s, now);
  }

  /** The pod the status names started its command: running it again would repeat its work. */
  private static boolean ranBefore(ProjectStatus prev) {
    return prev.getPodName() != null
        && prev.getStopReason() == null
        && prev.getPhase() == ProjectPhase.Running;
  }

  private static LifecycleDecision running(
      ProjectObservation o, PodState pod, Settings s, Instant now) {
    PodObservation seen = pod.seen();
    if (pod.exit() != null || seen.phase() == ProjectPhase.Failed) {
      return ended(o, pod, now);
    }
    if (o.preemptedBy() != null) {
      // A run on borrowed team share gives it back like a workspace and runs again from the
      // start when there is room (as a preempted Job's pod is retried): it did not finish.
      return Lifecycle.preempted(o, pod, now);
    }
    var record = pod.startRecord();
    var quota = record != null ? record.quota() : o.previous().getEffectiveQuota();
    TimerDecision timer =
        ProjectTimers.evaluate(
            new TimerInput(
                now,
                pod.created(),
                seen.phase() == ProjectPhase.Running
                    ? (pod.runStarted() != null ? pod.runStarted() : now)
                    : null,
                null,
                null,
                Lifecycle.duration(quota == null ? null : quota.getMaxDuration()),
                false,
                s.pendingTimeout(),
                null,
                null));
    if (timer instanceof TimerDecision.Stop stop) {
      if (stop.reason() != StopReason.MaxDuration) {
        // A pod that never started ran nothing: it retries like a workspace's.
        return Lifecycle.timerStop(o, pod, stop, false, s, now, new java.util.ArrayList<>());
      }
      String msg = stop.message() + " without finishing: stopped" + ONCE;
      return new LifecycleDecision(
          new Step.DeletePod(pod.name(), StopReason.MaxDuration),
          StatusChange.of(ProjectPhase.Failed, Reason.MaxDuration, "Failed: " + msg)
              .pod(new PodFields(pod.name(), seen.nodeName(), seen.startedAt()))
              .stop(new Stop.Finished(StopReason.MaxDuration, now, null, null))
              .admitted(Admitted.NOT_REQUESTED),
          List.of(StatusEvent.warning(Reason.MaxDuration, msg)),
          now.plus(Lifecycle.POD_GONE_CHECK));
    }
    StatusChange change =
        StatusChange.of(seen.phase(), seen.reason(), seen.message())
            .pod(new PodFields(pod.name(), seen.nodeName(), seen.startedAt()))
            .stop(Stop.CLEAR)
            .admitted(Admitted.yes("Admitted: the run holds its quota"));
    if (seen.phase() == ProjectPhase.Running) {
      change = change.skippedNodeGroups(List.of());
    }
    if (record != null) {
      change = change.quota(record.quota(), record.licenses(), record.rejectedPatches());
    }
    Instant due = ((TimerDecision.NotDue) timer).nextDue();
    Instant look = now.plus(s.idleCheckInterval());
    return new LifecycleDecision(
        new Step.Observe(), change, List.of(), due != null && due.isBefore(look) ? due : look);
  }

  /**
   * Its container terminated (or the pod failed without it, e.g. its node was lost): the result
   * goes into the status now, while the pod still shows it; the pod is deleted once the status says
   * so (the next look), so an operator stopping in between loses nothing.
   */
  private static LifecycleDecision ended(ProjectObservation o, PodState pod, Instant now) {
    PodObservation seen = pod.seen();
    ContainerExit exit = pod.exit();
    PodFields where = new PodFields(pod.name(), seen.nodeName(), seen.startedAt());
    if (exit != null) {
      String on = seen.nodeName() == null ? "" : " on " + seen.nodeName();
      boolean ok = exit.succeeded();
      String msg = (ok ? "Succeeded: the command " : "Failed: the command ") + exit.describe() + on;
      return new LifecycleDecision(
          new Step.Observe(),
          StatusChange.of(
                  ok ? ProjectPhase.Succeeded : ProjectPhase.Failed,
                  ok ? Reason.RunSucceeded : Reason.RunFailed,
                  msg)
              .pod(where)
              .stop(new Stop.Finished(StopReason.Finished, now, exit.exitCode(), exit.reason()))
              .admitted(Admitted.NOT_REQUESTED),
          List.of(
              ok
                  ? StatusEvent.normal(Reason.RunSucceeded, "Run " + exit.describe() + on)
                  : StatusEvent.warning(Reason.RunFailed, "Run " + exit.describe() + on)),
          now.plus(Lifecycle.RETRY_SOON));
    }
    StopReason why =
        "NodeLost".equals(pod.endReason()) ? StopReason.NodeLost : StopReason.PodFailed;
    String msg = "Failed: " + seen.message() + " before the command ended" + ONCE;
    return new LifecycleDecision(
        new Step.Observe(),
        StatusChange.of(ProjectPhase.Failed, Reason.of(why), msg)
            .pod(where)
            .stop(new Stop.Finished(why, now, null, null))
            .admitted(Admitted.NOT_REQUESTED),
        List.of(StatusEvent.warning(Reason.of(why), seen.message() + " before the command ended")),
        now.plus(Lifecycle.RETRY_SOON));
  }

  private static LifecycleDecision stoppedByUser(ProjectObservation o, PodState pod, Instant now) {
    PodObservation seen = pod.seen();
    return new LifecycleDecision(
        new Step.DeletePod(pod.name(), StopReason.UserStopped),
        StatusChange.of(
                ProjectPhase.Failed,
                Reason.UserStopped,
                "Failed: stopped before its command ended (desiredState is Stopped)" + ONCE)
            .pod(new PodFields(pod.name(), seen.nodeName(), seen.startedAt()))
            .stop(new Stop.Finished(StopReason.UserStopped, now, null, null))
            .admitted(Admitted.NOT_REQUESTED),
        List.of(
            StatusEvent.normal(Reason.Stopping, "Stopping the run: deleting pod " + pod.name())),
        now.plus(Lifecycle.POD_GONE_CHECK));
  }

  /** Its pod went away while the command ran (deleted by someone): the run is over, failed. */
  private static LifecycleDecision podLost(ProjectObservation o, Instant now) {
    ProjectStatus prev = o.previous();
    String msg = "Pod " + prev.getPodName() + " disappeared before the command ended";
    return new LifecycleDecision(
        new Step.Hold(),
        StatusChange.of(ProjectPhase.Failed, Reason.PodDeleted, "Failed: " + msg + ONCE)
            .pod(new PodFields(prev.getPodName(), prev.getNodeName(), prev.getStartedAt()))
            .stop(new Stop.Finished(StopReason.PodFailed, now, null, null))
            .admitted(Admitted.NOT_REQUESTED),
        List.of(StatusEvent.warning(Reason.PodDeleted, msg)),
        now.plus(Lifecycle.RETRY_SOON));
  }

  /**
   * A finished run: its pod (if still there) is deleted, its record stays as it is until
   * ephemeralRetention has passed since it finished, then the Project goes.
   */
  private static LifecycleDecision finished(
      ProjectObservation o, PodState pod, Settings s, Instant now) {
    ProjectStatus prev = o.previous();
    StatusChange record =
        StatusChange.of(prev.getPhase(), ProjectStatusBuilder.readyReason(prev), prev.getMessage())
            .pod(new PodFields(prev.getPodName(), prev.getNodeName(), prev.getStartedAt()));
    if (pod != null) {
      StopReason why = prev.getStopReason() != null ? prev.getStopReason() : StopReason.Finished;
      return new LifecycleDecision(
          new Step.DeletePod(pod.name(), why),
          record,
          List.of(),
          now.plus(Lifecycle.POD_GONE_CHECK));
    }
    Instant finishedAt = Lifecycle.parse(prev.getFinishedAt());
    Instant expires = (finishedAt == null ? now : finishedAt).plus(s.ephemeralRetention());
    if (!now.isBefore(expires)) {
      return new LifecycleDecision(
          new Step.DeleteProject(),
          null,
          List.of(
              StatusEvent.normal(
                  Reason.RunRecordExpired,
                  "The run finished at "
                      + prev.getFinishedAt()
                      + " and its record was kept for "
                      + Durations.format(s.ephemeralRetention())
                      + " (ephemeralRetention): deleting the Project")),
          null);
    }
    return new LifecycleDecision(new Step.Hold(), record, List.of(), expires);
  }
}
