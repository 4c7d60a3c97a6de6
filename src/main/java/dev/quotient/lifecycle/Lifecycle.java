package dev.quotient.lifecycle;

import static dev.quotient.api.QuotientLabels.LAST_ACTIVITY;

import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ProjectStatus;
import dev.quotient.api.StopReason;
import dev.quotient.quota.Timestamps;
import dev.quotient.settings.Settings;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Project's lifecycle as one pure function: what it observed, the settings and the time in; one
 * step, the status change, the Events and the next time to look out. The table in docs/lifecycle.md
 * lists every row; LifecycleTest checks each.
 */
public final class Lifecycle {
  /** How long a new project waits for the Licenses it names before starting without them. */
  public static final Duration LICENSE_GRACE = Duration.ofSeconds(15);

  /**
   * How often to check on a pod we asked to delete: its DELETED event is what normally finishes the
   * stop, and an event can be lost.
   */
  public static final Duration POD_GONE_CHECK = Duration.ofSeconds(5);

  /**
   * How long past its deletion deadline a pod may still show in the cache before the operator asks
   * the API server whether it is gone.
   */
  public static final Duration DELETION_OVERDUE = Duration.ofSeconds(10);

  /** The longest wait between two checks on an overdue terminating pod. */
  public static final Duration POD_GONE_CHECK_MAX = Duration.ofMinutes(1);

  /** When to try again after a start failed for a reason that passes by itself. */
  public static final Duration RETRY_SOON = Duration.ofSeconds(2);

  /**
   * How long a new pod's progress within Starting (scheduled, containers creating) goes unwritten:
   * a pod that runs sooner goes from "Pod created" to Running in one status write. Five seconds is
   * Kubernetes' pod-startup SLO.
   */
  public static final Duration START_SETTLE = Duration.ofSeconds(5);

  private Lifecycle() {}

  public static LifecycleDecision decide(ProjectObservation o, Settings s, Instant now) {
    PodState pod = o.pod();
    if (pod != null && !pod.ownedByProject()) {
      return new LifecycleDecision(
          new Step.AwaitPodGone(pod.name()),
          stopping(
              o,
              Reason.Stopping,
              "Waiting for pod "
                  + pod.name()
                  + " of an earlier project with the same name to go away"),
          List.of(),
          now.plus(POD_GONE_CHECK));
    }
    if (pod != null && pod.terminating()) {
      return awaitGone(o, pod, now);
    }
    if (o.specProblem() != null) {
      return unreadable(o, pod, s, now);
    }
    if (o.ephemeral()) {
      return EphemeralRun.decide(o, s, now);
    }
    String keptBy = o.wantsRunning() ? null : o.alwaysRunningBy();
    if (!o.wantsRunning() && keptBy == null) {
      return userStop(o, pod, now);
    }
    return pod != null ? running(o, pod, s, now, keptBy) : notRunning(o, s, now);
  }

  /**
   * A spec this operator cannot read (a newer CRD's desiredState): it neither starts nor stops the
   * project, since it does not know what was asked; a pod already there runs on as it is. The
   * Warning goes out once, while the status does not yet say so.
   */
  private static LifecycleDecision unreadable(
      ProjectObservation o, PodState pod, Settings s, Instant now) {
    String problem =
        o.specProblem() + "; the operator neither starts nor stops it until it is fixed";
    String previous = o.previous().getMessage();
    List<StatusEvent> events =
        previous != null && previous.contains(o.specProblem())
            ? List.of()
            : List.of(StatusEvent.warning(Reason.SpecInvalid, problem));
    if (pod == null) {
      return new LifecycleDecision(
          new Step.Hold(),
          StatusChange.of(ProjectPhase.Stopped, Reason.SpecInvalid, "Not started: " + problem)
              .admitted(Admitted.NOT_REQUESTED)
              .quota(previewQuota(o), previewLicenses(o), List.of()),
          events,
          null);
    }
    PodObservation seen = pod.seen();
    return new LifecycleDecision(
        new Step.Observe(),
        StatusChange.of(seen.phase(), Reason.SpecInvalid, seen.message() + "; " + problem)
            .pod(new PodFields(pod.name(), seen.nodeName(), seen.startedAt())),
        events,
        now.plus(s.idleCheckInterval()));
  }

  private static LifecycleDecision awaitGone(ProjectObservation o, PodState pod, Instant now) {
    ProjectStatus prev = o.previous();
    boolean ours =
        prev.getPhase() == ProjectPhase.Stopping
            || prev.getPhase() == ProjectPhase.Failed
            || prev.getFinishedAt() != null;
    StatusChange change =
        ours ? keep(o) : stopping(o, Reason.Stopping, "Pod " + pod.name() + " is terminating");
    // Nobody here asked for this deletion: say so, the project starts again once the pod is gone.
    List<StatusEvent> events =
        ours || !o.wantsRunning()
            ? List.of()
            : List.of(
                StatusEvent.warning(
                    Reason.PodDeleted,
                    "Pod "
                        + pod.name()
                        + " is being deleted while the project should run; "
                        + (o.ephemeral()
                            ? "a run that started does not run again: it ends Failed"
                            : "it is created again once it is gone")));
    return new LifecycleDecision(
        new Step.AwaitPodGone(pod.name()),
        change,
        events,
        podGoneCheck(pod.deletionDeadline(), now));
  }

  /**
   * When to look again at a pod the cache shows terminating: at its deadline plus {@link
   * #DELETION_OVERDUE}, then (each such look asks the API server) after as long again as it is
   * overdue, from {@link #POD_GONE_CHECK} up to {@link #POD_GONE_CHECK_MAX}: an API server or a
   * kubelet that is behind is not asked more often the longer it is behind.
   */
  public static Instant podGoneCheck(Instant deletionDeadline, Instant now) {
    Instant overdue = deletionDeadline.plus(DELETION_OVERDUE);
    if (overdue.isAfter(now)) {
      return overdue;
    }
    Duration late = Duration.between(overdue, now);
    Duration wait =
        late.compareTo(POD_GONE_CHECK) < 0
            ? POD_GONE_CHECK
            : late.compareTo(POD_GONE_CHECK_MAX) > 0 ? POD_GONE_CHECK_MAX : late;
    return now.plus(wait);
  }

  static LifecycleDecision userStop(ProjectObservation o, PodState pod, Instant now) {
    if (pod != null) {
      return new LifecycleDecision(
          new Step.DeletePod(pod.name(), StopReason.UserStopped),
          stopping(o, Reason.Stopping, "Stopping: pod " + pod.name() + " is being deleted")
              .admitted(Admitted.NOT_REQUESTED)
              .quota(previewQuota(o), previewLicenses(o), List.of()),
          List.of(StatusEvent.normal(Reason.Stopping, "Stopping: deleting pod " + pod.name())),
          now.plus(POD_GONE_CHECK));
    }
    ProjectStatus prev = o.previous();
    boolean already =
        prev.getPhase() == ProjectPhase.Stopped
            && prev.getStopReason() == StopReason.UserStopped
            && parse(prev.getStoppedAt()) != null;
    return new LifecycleDecision(
        new Step.Hold(),
        StatusChange.of(
                ProjectPhase.Stopped, Reason.UserStopped, "Stopped: desiredState is Stopped")
            .stop(new Stop.At(StopReason.UserStopped, already ? parse(prev.getStoppedAt()) : now))
            .admitted(Admitted.NOT_REQUESTED)
            .quota(previewQuota(o), previewLicenses(o), List.of())
            .licenseNote(o.previewProblem()),
        List.of(),
        null);
  }

  private static String note(String text) {
    return text == null ? "" : "; " + text;
  }

  private static LifecycleDecision running(
      ProjectObservation o, PodState pod, Settings s, Instant now, String keptBy) {
    if (o.preemptedBy() != null) {
      return preempted(o, pod, now);
    }
    PodObservation seen = pod.seen();
    var record = pod.startRecord();
    var quota = record != null ? record.quota() : o.previous().getEffectiveQuota();
    boolean always = quota != null && Boolean.TRUE.equals(quota.getAlwaysRunning());
    List<StatusEvent> events = new ArrayList<>();
    if (keptBy != null) {
      events.add(StatusEvent.normal(Reason.KeptRunning, keptRunning(keptBy)));
    }
    if (seen.phase() == ProjectPhase.Failed) {
      StopReason why =
          "NodeLost".equals(pod.endReason()) ? StopReason.NodeLost : StopReason.PodFailed;
      if (always) {
        events.add(
            StatusEvent.warning(Reason.of(why), seen.message() + "; alwaysRunning: restarting it"));
        return new LifecycleDecision(
            new Step.DeletePod(pod.name(), why),
            StatusChange.of(
                ProjectPhase.Starting,
                Reason.of(why),
                seen.message() + "; restarting (alwaysRunning)"),
            events,
            now.plus(POD_GONE_CHECK));
      }
      events.add(StatusEvent.warning(Reason.of(why), seen.message()));
      return new LifecycleDecision(
          new Step.DeletePod(pod.name(), why),
          StatusChange.of(ProjectPhase.Failed, Reason.of(why), seen.message() + startsAgain())
              .stop(new Stop.At(why, now)),
          events,
          now.plus(POD_GONE_CHECK));
    }
    String requested = String.join(",", o.requestedLicenses());
    String note = null;
    if (pod.licensesAtStart() != null && !pod.licensesAtStart().equals(requested)) {
      String change =
          "spec.licenses changed from [" + pod.licensesAtStart() + "] to [" + requested + "]";
      if (s.restartOnLicenseChange()) {
        events.add(
            StatusEvent.normal(
                Reason.LicenseChangeRestart, change + ": restarting so the new quota applies"));
        return new LifecycleDecision(
            new Step.DeletePod(pod.name(), StopReason.LicenseChange),
            stopping(o, Reason.LicenseChangeRestart, "Restarting to apply the changed licenses"),
            events,
            now.plus(POD_GONE_CHECK));
      }
      note = change + "; the change takes effect at the next start";
    }
    TimerDecision timer =
        ProjectTimers.evaluate(
            new TimerInput(
                now,
                pod.created(),
                seen.phase() == ProjectPhase.Running
                    ? (pod.runStarted() != null ? pod.runStarted() : now)
                    : null,
                o.activity(),
                duration(quota == null ? null : quota.getIdleTimeout()),
                duration(quota == null ? null : quota.getMaxDuration()),
                always,
                s.pendingTimeout(),
                o.gpuActivity(),
                duration(quota == null ? null : quota.getGpuIdleTimeout())));
    if (timer instanceof TimerDecision.Stop stop) {
      return timerStop(o, pod, stop, always, s, now, events);
    }
    // The image note stays while the pod runs: the project is not running what it asked for.
    String message =
        seen.message()
            + (keptBy == null ? "" : "; " + keptRunning(keptBy))
            + note(o.imageRefused());
    StatusChange change =
        StatusChange.of(seen.phase(), seen.reason(), message)
            .pod(new PodFields(pod.name(), seen.nodeName(), seen.startedAt()))
            .stop(Stop.CLEAR)
            .admitted(Admitted.yes("Admitted: the project holds its quota"))
            .licenseNote(note);
    if (seen.phase() == ProjectPhase.Running) {
      change = change.skippedNodeGroups(List.of());
    }
    if (record != null) {
      change = change.quota(record.quota(), record.licenses(), record.rejectedPatches());
    }
    Instant due = ((TimerDecision.NotDue) timer).nextDue();
    Instant look = now.plus(s.idleCheckInterval());
    Instant settled = pod.created() == null ? null : pod.created().plus(START_SETTLE);
    if (o.previous().getPhase() == ProjectPhase.Starting
        && seen.phase() == ProjectPhase.Starting
        && (seen.reason() == Reason.PodCreated || seen.reason() == Reason.PodScheduled)
        && events.isEmpty()
        && settled != null
        && now.isBefore(settled)) {
      // Scheduled, pulling: steps most pods take in seconds. Writing each one was a third status
      // write per start; the look when the pod is START_SETTLE old writes whatever holds then.
      // Problems (Unschedulable, image pull failures) are written at once.
      return new LifecycleDecision(new Step.Observe(), null, events, settled);
    }
    return new LifecycleDecision(
        new Step.Observe(), change, events, due != null && due.isBefore(look) ? due : look);
  }

  /**
   * The team share this project borrows is reclaimed: its pod goes, whatever keeps it running, and
   * it then waits for room like any project that wants to run.
   */
  static LifecycleDecision preempted(ProjectObservation o, PodState pod, Instant now) {
    String msg =
        PREEMPTED_BY
            + o.preemptedBy().describe()
            + ", which this project borrowed; it starts again when there is room";
    return new LifecycleDecision(
        new Step.DeletePod(pod.name(), StopReason.Preempted),
        stopping(o, Reason.Preempted, msg).stop(new Stop.At(StopReason.Preempted, now)),
        List.of(StatusEvent.warning(Reason.Preempted, msg)),
        now.plus(POD_GONE_CHECK));
  }

  /** How a preemption's message starts, so that the wait after it can still say who. */
  static final String PREEMPTED_BY = "Preempted: ";

  /**
   * "Preempted: course/a (team a) reclaims its share of node group g; " while a preempted project
   * waits to run again, empty otherwise.
   */
  private static String preemptedNote(ProjectStatus prev) {
    String m = prev.getMessage();
    if (prev.getStopReason() != StopReason.Preempted || m == null || !m.startsWith(PREEMPTED_BY)) {
      return "";
    }
    int end = m.indexOf(", which this project borrowed");
    int alt = m.indexOf("; ");
    int cut = end >= 0 ? end : alt;
    return (cut >= 0 ? m.substring(0, cut) : m) + "; ";
  }

  static LifecycleDecision timerStop(
      ProjectObservation o,
      PodState pod,
      TimerDecision.Stop stop,
      boolean always,
      Settings s,
      Instant now,
      List<StatusEvent> events) {
    Reason reason = Reason.of(stop.reason());
    Step step = new Step.DeletePod(pod.name(), stop.reason());
    String fallback = stop.reason() == StopReason.PendingTimeout ? nextNodeGroup(o, pod) : null;
    if (fallback != null) {
      String current = pod.startRecord().quota().getNodeGroup();
      String msg =
          pod.seen().message()
              + " in node group "
              + current
              + " for "
              + dev.quotient.quota.Durations.format(s.pendingTimeout())
              + ": moving to node group "
              + fallback;
      List<String> skipped = new java.util.ArrayList<>(skipped(o));
      skipped.add(current);
      events.add(StatusEvent.normal(Reason.NodeGroupFallback, msg));
      return new LifecycleDecision(
          new Step.DeletePod(pod.name(), StopReason.NodeGroupFallback),
          stopping(o, Reason.NodeGroupFallback, msg).skippedNodeGroups(skipped),
          events,
          now.plus(POD_GONE_CHECK));
    }
    if (stop.reason() == StopReason.PendingTimeout) {
      String msg =
          stop.message()
              + " ("
              + pod.seen().message()
              + "); its lease is released and it retries after the same time,"
              + " or at once on new activity or a spec change";
      events.add(StatusEvent.warning(reason, msg));
      return new LifecycleDecision(
          step,
          StatusChange.of(ProjectPhase.Failed, reason, msg).stop(new Stop.At(stop.reason(), now)),
          events,
          now.plus(POD_GONE_CHECK));
    }
    if (always) {
      events.add(StatusEvent.normal(reason, stop.message() + "; alwaysRunning: restarting it"));
      return new LifecycleDecision(
          step,
          stopping(o, reason, stop.message() + "; restarting (alwaysRunning)"),
          events,
          now.plus(POD_GONE_CHECK));
    }
    events.add(StatusEvent.normal(reason, stop.message() + "; stopping it"));
    return new LifecycleDecision(
        step,
        stopping(o, reason, stop.message() + "; stopping").stop(new Stop.At(stop.reason(), now)),
        events,
        now.plus(POD_GONE_CHECK));
  }

  static LifecycleDecision notRunning(ProjectObservation o, Settings s, Instant now) {
    ProjectStatus prev = o.previous();
    Instant heldUntil = heldUntil(o, s, now);
    if (heldUntil != null) {
      ProjectPhase phase =
          prev.getPhase() == ProjectPhase.Failed ? ProjectPhase.Failed : ProjectPhase.Stopped;
      String message =
          prev.getPhase() == phase && prev.getMessage() != null
              ? prev.getMessage()
              : "Stopped (" + prev.getStopReason() + ") at " + prev.getStoppedAt() + startsAgain();
      return new LifecycleDecision(
          new Step.Hold(),
          StatusChange.of(phase, Reason.of(prev.getStopReason()), message)
              .admitted(Admitted.NOT_REQUESTED)
              .quota(previewQuota(o), previewLicenses(o), List.of())
              .licenseNote(o.previewProblem()),
          List.of(),
          heldUntil.equals(Instant.MAX) ? null : heldUntil);
    }
    if (o.homeConflict() != null) {
      return homeInUse(o, s, now);
    }
    if (!o.missingLicenses().isEmpty()
        && o.created() != null
        && o.created().plus(LICENSE_GRACE).isAfter(now)) {
      return new LifecycleDecision(
          new Step.WaitForLicenses(o.missingLicenses()),
          StatusChange.of(
              ProjectPhase.Starting,
              Reason.LicenseNotFound,
              "Waiting up to "
                  + LICENSE_GRACE.toSeconds()
                  + "s after creation for License(s) "
                  + o.missingLicenses()
                  + " to appear; then it starts without them"),
          List.of(),
          o.created().plus(LICENSE_GRACE));
    }
    List<StatusEvent> events = new ArrayList<>();
    if (prev.getPodName() != null
        && prev.getStopReason() == null
        && (prev.getPhase() == ProjectPhase.Running || prev.getPhase() == ProjectPhase.Starting)) {
      events.add(
          StatusEvent.warning(
              Reason.PodDeleted,
              "Pod "
                  + prev.getPodName()
                  + " disappeared while the project should run; creating it again"));
    }
    return new LifecycleDecision(new Step.Start(), null, events, null);
  }

  /**
   * A second project naming a home in use does not start: two pods writing one home directory
   * corrupt it. The Warning goes out once (when the status first says so); the project looks again
   * at the check interval, as the owner going away wakes nothing here.
   */
  private static LifecycleDecision homeInUse(ProjectObservation o, Settings s, Instant now) {
    HomeConflict c = o.homeConflict();
    String message =
        "Not started: projectId '"
            + c.projectId()
            + "' is the home of project "
            + c.owner()
            + ", and two projects never share a home: this one stays stopped while "
            + c.owner()
            + " claims it (delete one of the two)";
    boolean told =
        o.previous().getPhase() == ProjectPhase.Stopped
            && ProjectStatusBuilder.readyReason(o.previous()) == Reason.ProjectIdInUse
            && message.equals(o.previous().getMessage());
    return new LifecycleDecision(
        new Step.Hold(),
        StatusChange.of(ProjectPhase.Stopped, Reason.ProjectIdInUse, message)
            .admitted(Admitted.no(Reason.ProjectIdInUse, message))
            .quota(previewQuota(o), previewLicenses(o), List.of())
            .licenseNote(o.previewProblem()),
        told ? List.of() : List.of(StatusEvent.warning(Reason.ProjectIdInUse, message)),
        now.plus(s.idleCheckInterval()));
  }

  /**
   * Until when a project that stopped by itself stays stopped: Instant.MAX for "until new activity
   * or a spec change", a time for a pending-timeout retry, null when it is not held. Always-running
   * projects are never held, except after a pending timeout (its wait is their back-off).
   */
  private static Instant heldUntil(ProjectObservation o, Settings s, Instant now) {
    ProjectStatus prev = o.previous();
    StopReason reason = prev.getStopReason();
    Instant stoppedAt = parse(prev.getStoppedAt());
    if (reason == null || !reason.holds() || stoppedAt == null) {
      return null;
    }
    if (!Objects.equals(prev.getObservedGeneration(), o.generation())) {
      return null;
    }
    Instant activity = parse(o.activity());
    if (activity != null && activity.isAfter(stoppedAt)) {
      return null;
    }
    if (reason == StopReason.PendingTimeout) {
      Instant retry = stoppedAt.plus(s.pendingTimeout());
      return now.isBefore(retry) ? retry : null;
    }
    return o.alwaysRunningBy() != null ? null : Instant.MAX;
  }

  /**
   * The status after a start attempt: admitted and created, waiting with the bottleneck, or why
   * not.
   */
  public static LifecycleDecision afterStart(
      ProjectObservation o, StartOutcome outcome, Settings s, Instant now) {
    if (outcome instanceof StartOutcome.Started st) {
      return started(st, o.imageRefused(), s, now);
    }
    if (outcome instanceof StartOutcome.Waiting w) {
      return waiting(w, preemptedNote(o.previous()), s, now);
    }
    if (outcome instanceof StartOutcome.AlreadyExists a) {
      return new LifecycleDecision(
          new Step.Start(),
          StatusChange.of(
                  ProjectPhase.Starting,
                  Reason.PodCreated,
                  "Pod already exists; waiting for it to show up")
              .quota(
                  ProjectStatusBuilder.toStatus(a.quota().quota()),
                  ProjectStatusBuilder.toResults(a.quota().verdicts()),
                  List.of()),
          List.of(),
          now.plus(RETRY_SOON));
    }
    if (outcome instanceof StartOutcome.RetrySoon r) {
      return new LifecycleDecision(
          new Step.Start(),
          StatusChange.of(ProjectPhase.Starting, Reason.PodCreateFailed, r.message()),
          List.of(),
          now.plus(RETRY_SOON));
    }
    if (outcome instanceof StartOutcome.Refused r) {
      return new LifecycleDecision(
          new Step.Start(),
          StatusChange.of(ProjectPhase.Failed, Reason.PodCreateFailed, r.message())
              .admitted(Admitted.no(Reason.PodCreateFailed, r.message())),
          List.of(StatusEvent.warning(Reason.PodCreateFailed, r.message())),
          null);
    }
    StartOutcome.InvalidSpec i = (StartOutcome.InvalidSpec) outcome;
    return new LifecycleDecision(
        new Step.Start(),
        StatusChange.of(
                ProjectPhase.Failed,
                Reason.PodCreateFailed,
                "Cannot start: " + i.message() + "; fix the project's spec")
            .admitted(Admitted.no(Reason.PodCreateFailed, i.message())),
        List.of(StatusEvent.warning(Reason.PodCreateFailed, "Cannot start: " + i.message())),
        null);
  }

  private static LifecycleDecision started(
      StartOutcome.Started st, String imageRefused, Settings s, Instant now) {
    var q = st.quota().quota();
    List<StatusEvent> events = new ArrayList<>();
    if (imageRefused != null) {
      events.add(StatusEvent.warning(Reason.ImageRefused, imageRefused));
    }
    st.rejectedPatches()
        .forEach(
            r ->
                events.add(
                    StatusEvent.warning(
                        Reason.PodPatchRejected,
                        "Pod patch of license '" + r.license() + "' not applied: " + r.reason())));
    st.quota().verdicts().stream()
        .filter(v -> !v.applied())
        .forEach(
            v -> events.add(StatusEvent.warning(Reason.forLicenseState(v.state()), v.message())));
    events.add(
        StatusEvent.normal(
            Reason.PodCreated,
            "Created pod "
                + st.podName()
                + " ("
                + q.limits()
                + " limits"
                + (q.nodeGroups().isEmpty() ? "" : ", node group " + q.nodeGroups().get(0))
                + ")"));
    Duration look =
        s.pendingTimeout().compareTo(s.idleCheckInterval()) < 0
            ? s.pendingTimeout()
            : s.idleCheckInterval();
    return new LifecycleDecision(
        new Step.Start(),
        StatusChange.of(
                ProjectPhase.Starting,
                Reason.PodCreated,
                "Pod created, waiting for the scheduler" + note(imageRefused))
            .pod(new PodFields(st.podName(), null, null))
            .stop(Stop.CLEAR)
            .admitted(Admitted.yes("Admitted: " + q.requests() + " requested"))
            .quota(
                ProjectStatusBuilder.toStatus(q),
                ProjectStatusBuilder.toResults(st.quota().verdicts()),
                st.rejectedPatches()),
        events,
        now.plus(look));
  }

  private static LifecycleDecision waiting(
      StartOutcome.Waiting w, String note, Settings s, Instant now) {
    var d = w.decision();
    Reason reason = d.neverFits() ? Reason.NeverFits : Reason.QuotaRejected;
    String msg =
        note
            + (d.neverFits() ? "Never fits: " : "Waiting for resources: ")
            + d.bottleneck().message();
    return new LifecycleDecision(
        new Step.Start(),
        StatusChange.of(ProjectPhase.WaitingForResources, reason, msg)
            .admitted(Admitted.no(reason, msg))
            .quota(
                ProjectStatusBuilder.toStatus(w.quota().quota()),
                ProjectStatusBuilder.toResults(w.quota().verdicts()),
                List.of())
            .waiting(new StatusChange.Waiting(d.since(), d.neverFits() ? null : d.position())),
        List.of(StatusEvent.warning(reason, d.bottleneck().message())),
        // Releases, limit changes and older projects leaving the queue wake it; this is the
        // safety net for a wake-up that was lost.
        now.plus(s.idleCheckInterval()));
  }

  /**
   * The next node group of the project's list after the one its unschedulable pod is in and those
   * passed over before; null when there is none (or the pod is not unschedulable in a group).
   */
  private static String nextNodeGroup(ProjectObservation o, PodState pod) {
    if (pod.seen().reason() != Reason.Unschedulable
        || pod.startRecord() == null
        || pod.startRecord().quota() == null
        || pod.startRecord().quota().getNodeGroup() == null
        || o.preview() == null) {
      return null;
    }
    List<String> passed = new java.util.ArrayList<>(skipped(o));
    passed.add(pod.startRecord().quota().getNodeGroup());
    return o.preview().quota().nodeGroups().stream()
        .filter(g -> !passed.contains(g))
        .findFirst()
        .orElse(null);
  }

  private static List<String> skipped(ProjectObservation o) {
    return o.previous().getSkippedNodeGroups() == null
        ? List.of()
        : o.previous().getSkippedNodeGroups();
  }

  static StatusChange stopping(ProjectObservation o, Reason reason, String message) {
    ProjectStatus prev = o.previous();
    return StatusChange.of(ProjectPhase.Stopping, reason, message)
        .pod(new PodFields(prev.getPodName(), prev.getNodeName(), prev.getStartedAt()));
  }

  /** The previous phase, reason and message unchanged (a stop in progress). */
  static StatusChange keep(ProjectObservation o) {
    ProjectStatus prev = o.previous();
    Reason reason = ProjectStatusBuilder.readyReason(prev);
    return StatusChange.of(prev.getPhase(), reason, prev.getMessage())
        .pod(new PodFields(prev.getPodName(), prev.getNodeName(), prev.getStartedAt()));
  }

  private static String keptRunning(String keptBy) {
    return "desiredState is Stopped, but "
        + keptBy
        + " makes this project alwaysRunning, so it keeps running; remove that to stop it";
  }

  private static String startsAgain() {
    return "; new activity (annotation " + LAST_ACTIVITY + ") or a spec change starts it again";
  }

  static dev.quotient.api.EffectiveQuotaStatus previewQuota(ProjectObservation o) {
    return o.preview() == null
        ? o.previous().getEffectiveQuota()
        : ProjectStatusBuilder.toStatus(o.preview().quota());
  }

  static List<dev.quotient.api.LicenseResult> previewLicenses(ProjectObservation o) {
    return o.preview() == null
        ? o.previous().getLicenses()
        : ProjectStatusBuilder.toResults(o.preview().verdicts());
  }

  static Duration duration(String text) {
    try {
      return text == null ? null : dev.quotient.quota.Durations.parse("duration", text);
    } catch (RuntimeException e) {
      return null;
    }
  }

  static Instant parse(String text) {
    return Timestamps.parseOrNull(text);
  }
}
