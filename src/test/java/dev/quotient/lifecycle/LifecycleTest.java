package dev.quotient.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.quotient.admission.AdmissionDecision;
import dev.quotient.admission.Bottleneck;
import dev.quotient.admission.BottleneckResource;
import dev.quotient.admission.ProjectKey;
import dev.quotient.admission.Scope;
import dev.quotient.api.DesiredState;
import dev.quotient.api.EffectiveQuotaStatus;
import dev.quotient.api.ProjectPhase;
import dev.quotient.api.ProjectStatus;
import dev.quotient.api.StopReason;
import dev.quotient.quota.EffectiveQuota;
import dev.quotient.quota.QuotaOutcome;
import dev.quotient.quota.Resources;
import dev.quotient.settings.Settings;
import dev.quotient.settings.SettingsParser;
import dev.quotient.status.ContainerExit;
import dev.quotient.status.PodObservation;
import dev.quotient.status.Reason;
import dev.quotient.status.StartRecord;
import dev.quotient.status.StatusChange;
import dev.quotient.status.StatusEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every transition of the Project lifecycle, as a table: desired state × previous phase × pod ×
 * timers × always-running → step, phase and stop reason. The same table is docs/lifecycle.md
 * (checked below, refreshed with -Dquotient.updateDocs=true).
 */
class LifecycleTest {
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  static final Settings SETTINGS =
      SettingsParser.parse(Map.of("pendingTimeout", "10m", "idleCheckInterval", "1m"));
  static final Path DOC = Path.of("docs/lifecycle.md");

  /** One row: the situation, then what the lifecycle does. */
  record Row(
      String desired,
      String before,
      String pod,
      String when,
      UnaryOperator<Given> given,
      String step,
      ProjectPhase phase,
      StopReason stopReason) {
    @Override
    public String toString() {
      return desired + " | " + before + " | " + pod + " | " + when;
    }
  }

  static List<Row> rows() {
    return List.of(
        row("Running", "new", "none", "-", g -> g, "Start", null, null),
        row(
            "Running",
            "Starting",
            "Pending",
            "-",
            g -> g.pod(pending()),
            "Observe",
            ProjectPhase.Starting,
            null),
        row(
            "Running",
            "Starting",
            "Pending, scheduled",
            "pod created 0.5 s ago (START_SETTLE 5 s)",
            g -> g.pod(pending().created(NOW.minusMillis(500))),
            "Observe",
            null,
            null),
        row(
            "Running",
            "Starting",
            "Running",
            "-",
            g -> g.pod(running()),
            "Observe",
            ProjectPhase.Running,
            null),
        row(
            "Running",
            "Running",
            "Running",
            "idle timeout passed",
            g -> g.pod(running().idle("30m")),
            "DeletePod IdleTimeout",
            ProjectPhase.Stopping,
            StopReason.IdleTimeout),
        row(
            "Running",
            "Running",
            "Running",
            "idle timeout passed, alwaysRunning",
            g -> g.pod(running().idle("30m").always()),
            "Observe",
            ProjectPhase.Running,
            null),
        row(
            "Running",
            "Running",
            "Running (GPU)",
            "GPU idle timeout passed",
            g -> g.pod(running().gpuIdle("1h")),
            "DeletePod GpuIdle",
            ProjectPhase.Stopping,
            StopReason.GpuIdle),
        row(
            "Running",
            "Running",
            "Running (GPU)",
            "GPU idle timeout passed, GPUs busy since",
            g -> g.gpuActivity(NOW.minusSeconds(60)).pod(running().gpuIdle("1h")),
            "Observe",
            ProjectPhase.Running,
            null),
        row(
            "Running",
            "Running",
            "Running",
            "maxDuration passed",
            g -> g.pod(running().max("1h")),
            "DeletePod MaxDuration",
            ProjectPhase.Stopping,
            StopReason.MaxDuration),
        row(
            "Running",
            "Running",
            "Running",
            "maxDuration passed, alwaysRunning",
            g -> g.pod(running().max("1h").always()),
            "DeletePod MaxDuration",
            ProjectPhase.Stopping,
            null),
        row(
            "Running",
            "Starting",
            "Pending",
            "pendingTimeout passed",
            g -> g.pod(pending().created(NOW.minus(Duration.ofMinutes(11)))),
            "DeletePod PendingTimeout",
            ProjectPhase.Failed,
            StopReason.PendingTimeout),
        row(
            "Running",
            "Starting",
            "Pending (Unschedulable) in group a",
            "pendingTimeout passed, nodeGroups [a, b]",
            g ->
                g.groups("a", "b")
                    .pod(unschedulable("a").created(NOW.minus(Duration.ofMinutes(11)))),
            "DeletePod NodeGroupFallback",
            ProjectPhase.Stopping,
            null),
        row(
            "Running",
            "Starting",
            "Pending (Unschedulable) in group b",
            "pendingTimeout passed, a skipped before",
            g ->
                g.groups("a", "b")
                    .skipped("a")
                    .pod(unschedulable("b").created(NOW.minus(Duration.ofMinutes(11)))),
            "DeletePod PendingTimeout",
            ProjectPhase.Failed,
            StopReason.PendingTimeout),
        row(
            "Running",
            "Running",
            "Failed",
            "-",
            g -> g.pod(failed(null)),
            "DeletePod PodFailed",
            ProjectPhase.Failed,
            StopReason.PodFailed),
        row(
            "Running",
            "Running",
            "Failed",
            "alwaysRunning",
            g -> g.pod(failed(null).always()),
            "DeletePod PodFailed",
            ProjectPhase.Starting,
            null),
        row(
            "Running",
            "Running",
            "Failed (node lost)",
            "-",
            g -> g.pod(failed("NodeLost")),
            "DeletePod NodeLost",
            ProjectPhase.Failed,
            StopReason.NodeLost),
        row(
            "Running",
            "Running",
            "Failed (node lost)",
            "alwaysRunning",
            g -> g.pod(failed("NodeLost").always()),
            "DeletePod NodeLost",
            ProjectPhase.Starting,
            null),
        row(
            "Running",
            "Running",
            "Running",
            "spec.licenses changed",
            g -> g.licenses("a", "b").pod(running().licensesAtStart("a")),
            "DeletePod LicenseChange",
            ProjectPhase.Stopping,
            null),
        row(
            "Running",
            "Stopping",
            "terminating",
            "-",
            g -> g.before(ProjectPhase.Stopping, null).pod(running().terminating()),
            "AwaitPodGone",
            ProjectPhase.Stopping,
            null),
        row(
            "Running",
            "Running",
            "an earlier project's",
            "-",
            g -> g.pod(running().foreign()),
            "AwaitPodGone",
            ProjectPhase.Stopping,
            null),
        row(
            "Stopped",
            "Running",
            "Running",
            "-",
            g -> g.stopped().pod(running()),
            "DeletePod UserStopped",
            ProjectPhase.Stopping,
            null),
        row(
            "Stopped",
            "Stopping",
            "none",
            "-",
            g -> g.stopped().before(ProjectPhase.Stopping, null),
            "Hold",
            ProjectPhase.Stopped,
            StopReason.UserStopped),
        row(
            "Stopped",
            "Running",
            "Running",
            "alwaysRunning",
            g -> g.stopped().alwaysBySpec().pod(running().always()),
            "Observe",
            ProjectPhase.Running,
            null),
        row(
            "Stopped",
            "Stopped",
            "none",
            "alwaysRunning",
            g -> g.stopped().alwaysBySpec(),
            "Start",
            null,
            null),
        row(
            "Running",
            "Stopped (IdleTimeout)",
            "none",
            "no activity since",
            g -> g.stoppedBy(StopReason.IdleTimeout, ProjectPhase.Stopped),
            "Hold",
            ProjectPhase.Stopped,
            StopReason.IdleTimeout),
        row(
            "Running",
            "Stopped (IdleTimeout)",
            "none",
            "new activity",
            g ->
                g.stoppedBy(StopReason.IdleTimeout, ProjectPhase.Stopped)
                    .activity(NOW.minusSeconds(5)),
            "Start",
            null,
            null),
        row(
            "Running",
            "Stopped (IdleTimeout)",
            "none",
            "spec changed",
            g -> g.stoppedBy(StopReason.IdleTimeout, ProjectPhase.Stopped).generation(3L),
            "Start",
            null,
            null),
        row(
            "Running",
            "Stopped (MaxDuration)",
            "none",
            "alwaysRunning",
            g -> g.stoppedBy(StopReason.MaxDuration, ProjectPhase.Stopped).alwaysBySpec(),
            "Start",
            null,
            null),
        row(
            "Running",
            "Failed (PodFailed)",
            "none",
            "-",
            g -> g.stoppedBy(StopReason.PodFailed, ProjectPhase.Failed),
            "Hold",
            ProjectPhase.Failed,
            StopReason.PodFailed),
        row(
            "Running",
            "Failed (PendingTimeout)",
            "none",
            "within pendingTimeout",
            g -> g.stoppedBy(StopReason.PendingTimeout, ProjectPhase.Failed),
            "Hold",
            ProjectPhase.Failed,
            StopReason.PendingTimeout),
        row(
            "Running",
            "Failed (PendingTimeout)",
            "none",
            "pendingTimeout passed",
            g ->
                g.stoppedBy(
                    StopReason.PendingTimeout,
                    ProjectPhase.Failed,
                    NOW.minus(Duration.ofMinutes(11))),
            "Start",
            null,
            null),
        row(
            "Running",
            "new",
            "none",
            "a License is missing, project younger than 15s",
            g -> g.missing("gone").created(NOW.minusSeconds(3)),
            "WaitForLicenses",
            ProjectPhase.Starting,
            null),
        row(
            "Running",
            "new",
            "none",
            "a License is missing, project older than 15s",
            g -> g.missing("gone").created(NOW.minusSeconds(30)),
            "Start",
            null,
            null),
        row(
            "Running",
            "new",
            "none",
            "its projectId is another project's home",
            g -> g.homeOf("ns/older"),
            "Hold",
            ProjectPhase.Stopped,
            null),
        row(
            "Running",
            "Running",
            "Running (borrowed team share)",
            "its team share is reclaimed",
            g -> g.pod(running()).preemptedBy("ns/owner", "a"),
            "DeletePod Preempted",
            ProjectPhase.Stopping,
            StopReason.Preempted),
        row(
            "Running",
            "Running",
            "Running (borrowed team share)",
            "its team share is reclaimed, alwaysRunning",
            g -> g.pod(running().always()).preemptedBy("ns/owner", "a"),
            "DeletePod Preempted",
            ProjectPhase.Stopping,
            StopReason.Preempted),
        row(
            "Running",
            "Stopping (Preempted)",
            "none",
            "-",
            g -> g.stoppedBy(StopReason.Preempted, ProjectPhase.Stopping),
            "Start",
            null,
            null),
        row(
            "Running (run)",
            "Running",
            "Running (borrowed team share)",
            "its team share is reclaimed",
            g ->
                g.run()
                    .before(ProjectPhase.Running, "project-p")
                    .pod(running())
                    .preemptedBy("ns/owner", "a"),
            "DeletePod Preempted",
            ProjectPhase.Stopping,
            StopReason.Preempted),
        row(
            "Running (run)",
            "Stopping (Preempted)",
            "none",
            "-",
            g -> g.run().stoppedBy(StopReason.Preempted, ProjectPhase.Stopping),
            "Start",
            null,
            null),
        row(
            "Sleeping (unknown)",
            "new",
            "none",
            "-",
            g -> g.unknownDesiredState("Sleeping"),
            "Hold",
            ProjectPhase.Stopped,
            null),
        row(
            "Sleeping (unknown)",
            "Running",
            "Running",
            "-",
            g -> g.unknownDesiredState("Sleeping").pod(running()),
            "Observe",
            ProjectPhase.Running,
            null),
        row("Running (run)", "new", "none", "-", g -> g.run(), "Start", null, null),
        row(
            "Running (run)",
            "Running",
            "Running",
            "idle timeout passed (does not apply to runs)",
            g -> g.run().pod(running().idle("30m")),
            "Observe",
            ProjectPhase.Running,
            null),
        row(
            "Running (run)",
            "Running",
            "Running",
            "maxDuration passed",
            g -> g.run().pod(running().max("1h")),
            "DeletePod MaxDuration",
            ProjectPhase.Failed,
            StopReason.MaxDuration),
        row(
            "Running (run)",
            "Starting",
            "Pending",
            "pendingTimeout passed",
            g -> g.run().pod(pending().created(NOW.minus(Duration.ofMinutes(11)))),
            "DeletePod PendingTimeout",
            ProjectPhase.Failed,
            StopReason.PendingTimeout),
        row(
            "Running (run)",
            "Running",
            "Succeeded (exit 0)",
            "-",
            g -> g.run().before(ProjectPhase.Running, "project-p").pod(exited(0)),
            "Observe",
            ProjectPhase.Succeeded,
            StopReason.Finished),
        row(
            "Running (run)",
            "Running",
            "Failed (exit 3)",
            "-",
            g -> g.run().before(ProjectPhase.Running, "project-p").pod(exited(3)),
            "Observe",
            ProjectPhase.Failed,
            StopReason.Finished),
        row(
            "Running (run)",
            "Running",
            "Failed (NodeLost)",
            "-",
            g -> g.run().before(ProjectPhase.Running, "project-p").pod(failed("NodeLost")),
            "Observe",
            ProjectPhase.Failed,
            StopReason.NodeLost),
        row(
            "Running (run)",
            "Succeeded",
            "Succeeded (exit 0)",
            "the record is written",
            g -> g.run().finished(ProjectPhase.Succeeded, NOW.minusSeconds(5)).pod(exited(0)),
            "DeletePod Finished",
            ProjectPhase.Succeeded,
            StopReason.Finished),
        row(
            "Running (run)",
            "Succeeded",
            "none",
            "within ephemeralRetention of finishedAt",
            g -> g.run().finished(ProjectPhase.Succeeded, NOW.minus(Duration.ofHours(23))),
            "Hold",
            ProjectPhase.Succeeded,
            StopReason.Finished),
        row(
            "Running (run)",
            "Failed",
            "none",
            "ephemeralRetention passed since finishedAt",
            g -> g.run().finished(ProjectPhase.Failed, NOW.minus(Duration.ofHours(24))),
            "DeleteProject",
            null,
            null),
        row(
            "Running (run)",
            "Running",
            "none",
            "the pod disappeared while the command ran",
            g -> g.run().before(ProjectPhase.Running, "project-p"),
            "Hold",
            ProjectPhase.Failed,
            StopReason.PodFailed),
        row(
            "Stopped (run)",
            "Running",
            "Running",
            "-",
            g -> g.run().stopped().pod(running()),
            "DeletePod UserStopped",
            ProjectPhase.Failed,
            StopReason.UserStopped),
        row(
            "Stopped (run)",
            "Running",
            "Running",
            "alwaysRunning (does not apply to runs)",
            g -> g.run().stopped().alwaysBySpec().pod(running().always()),
            "DeletePod UserStopped",
            ProjectPhase.Failed,
            StopReason.UserStopped),
        row(
            "Stopped (run)",
            "new",
            "none",
            "-",
            g -> g.run().stopped(),
            "Hold",
            ProjectPhase.Stopped,
            StopReason.UserStopped));
  }

  private static Row row(
      String desired,
      String before,
      String pod,
      String when,
      UnaryOperator<Given> given,
      String step,
      ProjectPhase phase,
      StopReason stop) {
    return new Row(desired, before, pod, when, given, step, phase, stop);
  }

  static Stream<Row> table() {
    return rows().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void eachRowOfTheTable(Row row) {
    ProjectObservation o = row.given().apply(new Given()).build();
    LifecycleDecision d = Lifecycle.decide(o, SETTINGS, NOW);
    assertThat(describe(d.step())).isEqualTo(row.step());
    if (row.phase() == null) {
      assertThat(d.status()).as("status").isNull();
    } else {
      assertThat(d.status().phase()).isEqualTo(row.phase());
      StatusChange.Stop change = d.status().stop();
      StopReason stop =
          change instanceof StatusChange.Stop.At at
              ? at.reason()
              : change instanceof StatusChange.Stop.Finished f
                  ? f.reason()
                  : change instanceof StatusChange.Stop.Keep ? o.previous().getStopReason() : null;
      assertThat(stop).as("stopReason").isEqualTo(row.stopReason());
    }
  }

  @Test
  void everyDecisionThatLeavesAPodToGoSaysWhenToCheckAgain() {
    for (Row row : rows()) {
      LifecycleDecision d = Lifecycle.decide(row.given().apply(new Given()).build(), SETTINGS, NOW);
      if (d.step() instanceof Step.DeletePod || d.step() instanceof Step.AwaitPodGone) {
        assertThat(d.nextLook()).as(row.toString()).isNotNull().isAfter(NOW);
      }
    }
  }

  @Test
  void aRunningProjectIsLookedAtWhenItsNextTimerIsDueOrAtTheCheckInterval() {
    LifecycleDecision soon =
        Lifecycle.decide(
            new Given().pod(running().started(NOW.minusSeconds(60 * 30 - 20)).idle("30m")).build(),
            SETTINGS,
            NOW);
    assertThat(soon.nextLook()).isEqualTo(NOW.plusSeconds(20));
    LifecycleDecision later = Lifecycle.decide(new Given().pod(running()).build(), SETTINGS, NOW);
    assertThat(later.nextLook()).isEqualTo(NOW.plus(SETTINGS.idleCheckInterval()));
  }

  @Test
  void aTerminatingPodIsCheckedAtItsDeadlineThenLessOftenTheLongerItIsOverdue() {
    // deadline + 10 s (DELETION_OVERDUE) is when a lost DELETED event is first suspected
    Object[][] rows = {
      // deadline relative to now, next look relative to now
      {Duration.ofSeconds(30), Duration.ofSeconds(40)},
      {Duration.ofSeconds(-5), Duration.ofSeconds(5)},
      {Duration.ofSeconds(-12), Duration.ofSeconds(5)},
      {Duration.ofSeconds(-30), Duration.ofSeconds(20)},
      {Duration.ofSeconds(-50), Duration.ofSeconds(40)},
      {Duration.ofMinutes(-30), Duration.ofMinutes(1)},
    };
    for (Object[] row : rows) {
      Instant deadline = NOW.plus((Duration) row[0]);
      LifecycleDecision d =
          Lifecycle.decide(
              new Given()
                  .before(ProjectPhase.Stopping, null)
                  .pod(running().terminating(deadline))
                  .build(),
              SETTINGS,
              NOW);
      assertThat(d.step()).as("deadline %s", row[0]).isInstanceOf(Step.AwaitPodGone.class);
      assertThat(d.nextLook()).as("deadline %s", row[0]).isEqualTo(NOW.plus((Duration) row[1]));
    }
  }

  @Test
  void aNewPodsProgressWithinStartingIsWrittenOnceItIsASecondOld() {
    Instant created = NOW.minusMillis(400);
    LifecycleDecision young =
        Lifecycle.decide(new Given().pod(pending().created(created)).build(), SETTINGS, NOW);
    assertThat(young.status()).isNull();
    assertThat(young.nextLook()).isEqualTo(created.plus(Lifecycle.START_SETTLE));
    LifecycleDecision settled =
        Lifecycle.decide(
            new Given().pod(pending().created(created)).build(),
            SETTINGS,
            created.plus(Lifecycle.START_SETTLE));
    assertThat(settled.status().phase()).isEqualTo(ProjectPhase.Starting);
    LifecycleDecision runningAtOnce =
        Lifecycle.decide(
            new Given().pod(running().created(created).started(NOW.minusMillis(100))).build(),
            SETTINGS,
            NOW);
    assertThat(runningAtOnce.status().phase()).isEqualTo(ProjectPhase.Running);
    LifecycleDecision problem =
        Lifecycle.decide(
            new Given().pod(unschedulable(null).created(created)).build(), SETTINGS, NOW);
    assertThat(problem.status().reason()).isEqualTo(Reason.Unschedulable);
  }

  @Test
  void aPendingTimeoutHoldEndsAtItsRetryTime() {
    Instant stopped = NOW.minus(Duration.ofMinutes(4));
    LifecycleDecision d =
        Lifecycle.decide(
            new Given().stoppedBy(StopReason.PendingTimeout, ProjectPhase.Failed, stopped).build(),
            SETTINGS,
            NOW);
    assertThat(d.nextLook()).isEqualTo(stopped.plus(Duration.ofMinutes(10)));
  }

  @Test
  void anAlwaysRunningProjectTheUserStoppedSaysWhatKeepsItRunning() {
    LifecycleDecision d =
        Lifecycle.decide(
            new Given().stopped().alwaysBySpec().pod(running().always()).build(), SETTINGS, NOW);
    assertThat(d.status().message())
        .contains("desiredState is Stopped, but license 'ops' makes this project alwaysRunning")
        .contains("remove that to stop it");
    assertThat(d.events()).extracting(StatusEvent::reason).contains(Reason.KeptRunning);
  }

  @Test
  void aPodThatVanishedWhileRunningIsReportedAndStartedAgain() {
    LifecycleDecision d =
        Lifecycle.decide(
            new Given().before(ProjectPhase.Running, "project-p").build(), SETTINGS, NOW);
    assertThat(d.step()).isInstanceOf(Step.Start.class);
    assertThat(d.events()).extracting(StatusEvent::reason).containsExactly(Reason.PodDeleted);
  }

  @Test
  void aRefusedImageIsAWarningAtTheStartAndStaysInTheMessageWhileItRuns() {
    String why =
        "spec.image 'evil:1' is not in pod.allowedImages: the project runs the default image d";
    LifecycleDecision started =
        Lifecycle.afterStart(
            new Given().imageRefused(why).build(),
            new StartOutcome.Started(quota(false), "project-p", List.of()),
            SETTINGS,
            NOW);
    assertThat(started.events())
        .extracting(StatusEvent::reason)
        .containsExactly(Reason.ImageRefused, Reason.PodCreated);
    assertThat(started.events().get(0).message()).isEqualTo(why);
    assertThat(started.status().message()).endsWith("; " + why);

    LifecycleDecision running =
        Lifecycle.decide(new Given().imageRefused(why).pod(running()).build(), SETTINGS, NOW);
    assertThat(running.status().message()).startsWith("Running on ").endsWith("; " + why);
    assertThat(running.events()).isEmpty();
  }

  @Test
  void afterAStartTheStatusSaysWhatCameOfIt() {
    ProjectObservation o = new Given().build();
    QuotaOutcome q = quota(false);
    LifecycleDecision started =
        Lifecycle.afterStart(o, new StartOutcome.Started(q, "project-p", List.of()), SETTINGS, NOW);
    assertThat(started.status().phase()).isEqualTo(ProjectPhase.Starting);
    assertThat(started.status().pod().name()).isEqualTo("project-p");
    assertThat(started.status().waiting()).isNull();
    assertThat(started.events()).extracting(StatusEvent::reason).containsExactly(Reason.PodCreated);
    assertThat(started.nextLook()).isEqualTo(NOW.plus(SETTINGS.idleCheckInterval()));

    Bottleneck b =
        new Bottleneck(
            BottleneckResource.Memory, Scope.CLUSTER, "memory: needs 2Gi, 1Gi of 8Gi free");
    Instant since = NOW.minusSeconds(90);
    LifecycleDecision waiting =
        Lifecycle.afterStart(
            o,
            new StartOutcome.Waiting(q, new AdmissionDecision.Waiting(b, 2, false, since)),
            SETTINGS,
            NOW);
    assertThat(waiting.status().phase()).isEqualTo(ProjectPhase.WaitingForResources);
    assertThat(waiting.status().reason()).isEqualTo(Reason.QuotaRejected);
    assertThat(waiting.status().message())
        .isEqualTo("Waiting for resources: memory: needs 2Gi, 1Gi of 8Gi free");
    assertThat(waiting.status().waiting()).isEqualTo(new StatusChange.Waiting(since, 2));

    LifecycleDecision never =
        Lifecycle.afterStart(
            o,
            new StartOutcome.Waiting(q, new AdmissionDecision.Waiting(b, 0, true, since)),
            SETTINGS,
            NOW);
    assertThat(never.status().phase()).isEqualTo(ProjectPhase.WaitingForResources);
    assertThat(never.status().reason()).isEqualTo(Reason.NeverFits);
    assertThat(never.status().waiting()).isEqualTo(new StatusChange.Waiting(since, null));

    LifecycleDecision soon =
        Lifecycle.afterStart(o, new StartOutcome.RetrySoon("no SA"), SETTINGS, NOW);
    assertThat(soon.status().phase()).isEqualTo(ProjectPhase.Starting);
    assertThat(soon.nextLook()).isEqualTo(NOW.plus(Lifecycle.RETRY_SOON));

    LifecycleDecision refused =
        Lifecycle.afterStart(o, new StartOutcome.Refused("denied"), SETTINGS, NOW);
    assertThat(refused.status().phase()).isEqualTo(ProjectPhase.Failed);
    assertThat(refused.events())
        .extracting(StatusEvent::type)
        .containsExactly(StatusEvent.Type.Warning);

    LifecycleDecision invalid =
        Lifecycle.afterStart(o, new StartOutcome.InvalidSpec("bad cpu"), SETTINGS, NOW);
    assertThat(invalid.status().message())
        .isEqualTo("Cannot start: bad cpu; fix the project's spec");
  }

  @Test
  void aProjectWhoseHomeIsTakenSaysWhoseItIsAndWarnsOnce() {
    LifecycleDecision first = Lifecycle.decide(new Given().homeOf("ns/a").build(), SETTINGS, NOW);
    assertThat(first.status().reason()).isEqualTo(Reason.ProjectIdInUse);
    assertThat(first.status().message())
        .contains("projectId 'shared-id' is the home of project ns/a");
    assertThat(first.events())
        .extracting(StatusEvent::type, StatusEvent::reason)
        .containsExactly(tuple(StatusEvent.Type.Warning, Reason.ProjectIdInUse));
    assertThat(first.nextLook()).isEqualTo(NOW.plus(SETTINGS.idleCheckInterval()));

    Given again = new Given().homeOf("ns/a");
    again.previous(
        new dev.quotient.status.ProjectStatusBuilder(new ProjectStatus(), 2L, NOW)
            .apply(first.status())
            .build());
    assertThat(Lifecycle.decide(again.build(), SETTINGS, NOW).events()).isEmpty();
  }

  @Test
  void theOwnerOfAHomeIsTheProjectWithAPodThenTheOldestThenByName() {
    Instant t = NOW.minus(Duration.ofDays(2));
    HomeClaim oldest = new HomeClaim(new ProjectKey("b", "x"), t, false);
    HomeClaim sameAgeA = new HomeClaim(new ProjectKey("a", "y"), t, false);
    HomeClaim younger = new HomeClaim(new ProjectKey("a", "a"), NOW, false);
    HomeClaim running = new HomeClaim(new ProjectKey("z", "z"), NOW, true);
    assertThat(HomeClaim.owner(List.of(oldest, younger))).contains(oldest);
    assertThat(HomeClaim.owner(List.of(oldest, sameAgeA, younger))).contains(sameAgeA);
    assertThat(HomeClaim.owner(List.of(oldest, running, younger))).contains(running);
    assertThat(HomeClaim.owner(List.of())).isEmpty();
  }

  @Test
  void aSpecItCannotReadIsNamedOnceAndNeitherStartsNorStopsTheProject() {
    LifecycleDecision first =
        Lifecycle.decide(new Given().unknownDesiredState("Sleeping").build(), SETTINGS, NOW);
    assertThat(first.status().reason()).isEqualTo(Reason.SpecInvalid);
    assertThat(first.status().message())
        .contains("spec.desiredState 'Sleeping' is not one this operator knows");
    assertThat(first.events())
        .extracting(StatusEvent::type, StatusEvent::reason)
        .containsExactly(tuple(StatusEvent.Type.Warning, Reason.SpecInvalid));
    Given again = new Given().unknownDesiredState("Sleeping");
    again.previous(
        new dev.quotient.status.ProjectStatusBuilder(new ProjectStatus(), 2L, NOW)
            .apply(first.status())
            .build());
    assertThat(Lifecycle.decide(again.build(), SETTINGS, NOW).events()).isEmpty();
  }

  @Test
  void aPreemptedProjectSaysWhoReclaimedItsShareAndStillSaysSoWhileItWaits() {
    LifecycleDecision d =
        Lifecycle.decide(
            new Given().pod(running()).preemptedBy("ns/owner", "a").build(), SETTINGS, NOW);
    String said =
        "Preempted: ns/owner (team a) reclaims its share of node group g, which this project"
            + " borrowed; it starts again when there is room";
    assertThat(d.status().message()).isEqualTo(said);
    assertThat(d.events())
        .extracting(StatusEvent::type, StatusEvent::reason, StatusEvent::message)
        .containsExactly(tuple(StatusEvent.Type.Warning, Reason.Preempted, said));

    ProjectStatus after =
        new dev.quotient.status.ProjectStatusBuilder(new ProjectStatus(), 2L, NOW)
            .apply(d.status())
            .build();
    Given gone = new Given().previous(after);
    ProjectObservation o = gone.build();
    assertThat(Lifecycle.decide(o, SETTINGS, NOW).step()).isInstanceOf(Step.Start.class);
    Bottleneck b =
        new Bottleneck(
            BottleneckResource.TeamShare,
            new Scope.Team("g", "b"),
            "team share b of node group g: cpu needs 2, 0 of 2 free");
    LifecycleDecision waiting =
        Lifecycle.afterStart(
            o,
            new StartOutcome.Waiting(quota(false), new AdmissionDecision.Waiting(b, 1, false, NOW)),
            SETTINGS,
            NOW);
    String waits =
        "Preempted: ns/owner (team a) reclaims its share of node group g; Waiting for resources:"
            + " team share b of node group g: cpu needs 2, 0 of 2 free";
    assertThat(waiting.status().message()).isEqualTo(waits);
    assertThat(waiting.status().stop()).isEqualTo(StatusChange.Stop.KEEP);

    // Still so at the next look while it waits.
    ProjectStatus waitingStatus =
        new dev.quotient.status.ProjectStatusBuilder(after, 2L, NOW)
            .apply(waiting.status())
            .build();
    LifecycleDecision again =
        Lifecycle.afterStart(
            new Given().previous(waitingStatus).build(),
            new StartOutcome.Waiting(quota(false), new AdmissionDecision.Waiting(b, 1, false, NOW)),
            SETTINGS,
            NOW);
    assertThat(again.status().message()).isEqualTo(waits);
  }

  /** The table in docs/lifecycle.md is this test's table. */
  @Test
  void theDocumentedTableIsThisTable() throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("| desiredState | before | pod | when | step | phase | stopReason |\n");
    md.append("|---|---|---|---|---|---|---|\n");
    for (Row r : rows()) {
      md.append("| ")
          .append(
              String.join(
                  " | ",
                  r.desired(),
                  r.before(),
                  r.pod(),
                  r.when(),
                  r.step(),
                  r.phase() == null
                      ? (r.step().equals("DeleteProject")
                          ? "(Project deleted)"
                          : r.step().startsWith("Start") ? "(from admission)" : "(unchanged)")
                      : r.phase().name(),
                  r.stopReason() == null ? "-" : r.stopReason().name()))
          .append(" |\n");
    }
    String doc = Files.readString(DOC);
    String begin = "<!-- lifecycle table: generated by LifecycleTest -->\n";
    String end = "<!-- end of lifecycle table -->";
    int a = doc.indexOf(begin);
    int b = doc.indexOf(end);
    assertThat(a).as(DOC + " has the table markers").isNotNegative();
    String current = doc.substring(a + begin.length(), b);
    if (Boolean.getBoolean("quotient.updateDocs")) {
      Files.writeString(DOC, doc.substring(0, a + begin.length()) + md + doc.substring(b));
      current = md.toString();
    }
    assertThat(current)
        .as(
            DOC
                + " is out of date; run: mvn -q test -Dtest=LifecycleTest -Dquotient.updateDocs=true")
        .isEqualTo(md.toString());
  }

  private static String describe(Step step) {
    if (step instanceof Step.DeletePod d) {
      return "DeletePod " + d.reason();
    }
    return step.getClass().getSimpleName();
  }

  static QuotaOutcome quota(boolean always) {
    return quota(always, List.of());
  }

  static QuotaOutcome quota(boolean always, List<String> groups) {
    Resources limits = new Resources(1000, 1L << 30, 0);
    return new QuotaOutcome(
        new EffectiveQuota(
            limits,
            new Resources(100, 200L << 20, 0),
            0,
            null,
            Map.of(),
            List.of(),
            always,
            always ? "license 'ops'" : null,
            null,
            null,
            groups,
            List.of(),
            List.of(),
            null,
            null),
        List.of());
  }

  static PodBuilder pending() {
    return new PodBuilder(ProjectPhase.Starting, Reason.PodScheduled, null);
  }

  /** A pod the scheduler cannot place, in node group {@code group}. */
  static PodBuilder unschedulable(String group) {
    return new PodBuilder(ProjectPhase.Starting, Reason.Unschedulable, null).group(group);
  }

  static PodBuilder running() {
    return new PodBuilder(ProjectPhase.Running, Reason.PodRunning, NOW.minus(Duration.ofHours(2)));
  }

  /** A run's pod whose container exited with this code. */
  static PodBuilder exited(int code) {
    PodBuilder b =
        new PodBuilder(ProjectPhase.Failed, Reason.PodFailed, NOW.minus(Duration.ofHours(2)));
    b.exit = new ContainerExit(code, code == 0 ? "Completed" : "Error", null, NOW.toString());
    return b;
  }

  static PodBuilder failed(String why) {
    return new PodBuilder(ProjectPhase.Failed, Reason.PodFailed, NOW.minus(Duration.ofHours(2)))
        .endReason(why);
  }

  /** A project pod as the observer would see it. */
  static final class PodBuilder {
    private final ProjectPhase phase;
    private final Reason reason;
    private Instant started;
    private Instant created = NOW.minus(Duration.ofHours(3));
    private Instant deletion;
    private boolean foreign;
    private String endReason;
    private String licensesAtStart = "";
    private ContainerExit exit;
    private final EffectiveQuotaStatus quota = new EffectiveQuotaStatus();

    PodBuilder(ProjectPhase phase, Reason reason, Instant started) {
      this.phase = phase;
      this.reason = reason;
      this.started = started;
      if (phase == ProjectPhase.Starting) {
        created = NOW.minusSeconds(30);
      }
    }

    PodBuilder idle(String d) {
      quota.setIdleTimeout(d);
      return this;
    }

    PodBuilder group(String g) {
      quota.setNodeGroup(g);
      return this;
    }

    PodBuilder gpuIdle(String d) {
      quota.setGpu(1);
      quota.setGpuIdleTimeout(d);
      return this;
    }

    PodBuilder max(String d) {
      quota.setMaxDuration(d);
      return this;
    }

    PodBuilder always() {
      quota.setAlwaysRunning(true);
      quota.setIdleTimeout(null);
      return this;
    }

    PodBuilder created(Instant at) {
      created = at;
      return this;
    }

    PodBuilder started(Instant at) {
      started = at;
      return this;
    }

    PodBuilder terminating() {
      return terminating(NOW.plusSeconds(30));
    }

    PodBuilder terminating(Instant deadline) {
      deletion = deadline;
      return this;
    }

    PodBuilder foreign() {
      foreign = true;
      return this;
    }

    PodBuilder endReason(String r) {
      endReason = r;
      return this;
    }

    PodBuilder licensesAtStart(String l) {
      licensesAtStart = l;
      return this;
    }

    PodState build() {
      String message = phase == ProjectPhase.Failed ? "Pod Failed: it ended" : phase + " on node-1";
      return new PodState(
          "project-p",
          !foreign,
          new PodObservation(
              phase, reason, message, "node-1", started == null ? null : started.toString()),
          created,
          phase == ProjectPhase.Running ? started : null,
          deletion,
          new StartRecord(quota, List.of(), List.of(), null),
          licensesAtStart,
          endReason,
          exit);
    }
  }

  /** An observation of project ns/p, Running wanted, generation 2, as reconciled last time. */
  static final class Given {
    private DesiredState desired = DesiredState.Running;
    private ProjectStatus previous = new ProjectStatus();
    private PodState pod;
    private boolean always;
    private Long generation = 2L;
    private Instant created = NOW.minus(Duration.ofDays(1));
    private String activity;
    private String gpuActivity;
    private List<String> groups = List.of();
    private List<String> licenses = List.of();
    private List<String> missing = List.of();
    private HomeConflict homeConflict;
    private String specProblem;
    private boolean ephemeral;
    private String imageRefused;
    private dev.quotient.admission.Preemption preemptedBy;

    Given() {
      previous.setObservedGeneration(2L);
    }

    Given pod(PodBuilder p) {
      pod = p.build();
      if (previous.getPhase() == null) {
        previous.setPhase(
            p.phase == ProjectPhase.Running ? ProjectPhase.Running : ProjectPhase.Starting);
        previous.setPodName("project-p");
      }
      return this;
    }

    Given before(ProjectPhase phase, String podName) {
      previous.setPhase(phase);
      previous.setPodName(podName);
      return this;
    }

    Given stopped() {
      desired = DesiredState.Stopped;
      return this;
    }

    Given stoppedBy(StopReason reason, ProjectPhase phase) {
      return stoppedBy(reason, phase, NOW.minus(Duration.ofMinutes(4)));
    }

    Given stoppedBy(StopReason reason, ProjectPhase phase, Instant at) {
      previous.setPhase(phase);
      previous.setStopReason(reason);
      previous.setStoppedAt(at.toString());
      return this;
    }

    /** An ephemeral run (spec.lifetime: Ephemeral). */
    Given run() {
      ephemeral = true;
      return this;
    }

    /** A run that finished at this time, with this phase (its pod's record written). */
    Given finished(ProjectPhase phase, Instant at) {
      previous.setPhase(phase);
      previous.setPodName("project-p");
      previous.setStopReason(StopReason.Finished);
      previous.setStoppedAt(at.toString());
      previous.setFinishedAt(at.toString());
      previous.setExitCode(phase == ProjectPhase.Succeeded ? 0 : 3);
      return this;
    }

    Given alwaysBySpec() {
      always = true;
      return this;
    }

    Given generation(Long g) {
      generation = g;
      return this;
    }

    Given created(Instant at) {
      created = at;
      return this;
    }

    Given activity(Instant at) {
      activity = at.toString();
      return this;
    }

    Given groups(String... names) {
      groups = List.of(names);
      return this;
    }

    Given skipped(String... names) {
      previous.setSkippedNodeGroups(List.of(names));
      return this;
    }

    Given gpuActivity(Instant at) {
      gpuActivity = at.toString();
      return this;
    }

    Given previous(ProjectStatus status) {
      previous = status;
      return this;
    }

    Given unknownDesiredState(String value) {
      desired = null;
      specProblem = "spec.desiredState '" + value + "' is not one this operator knows";
      return this;
    }

    Given imageRefused(String why) {
      imageRefused = why;
      return this;
    }

    Given homeOf(String owner) {
      String[] key = owner.split("/");
      homeConflict = new HomeConflict("shared-id", new ProjectKey(key[0], key[1]));
      return this;
    }

    Given preemptedBy(String project, String team) {
      String[] key = project.split("/");
      preemptedBy =
          new dev.quotient.admission.Preemption(
              new ProjectKey("ns", "p"), new ProjectKey(key[0], key[1]), "g", team, NOW);
      return this;
    }

    Given licenses(String... names) {
      licenses = List.of(names);
      return this;
    }

    Given missing(String... names) {
      missing = List.of(names);
      licenses = List.of(names);
      return this;
    }

    ProjectObservation build() {
      List<String> requested = new ArrayList<>(licenses);
      return new ProjectObservation(
          new ProjectKey("ns", "p"),
          generation,
          created,
          desired,
          requested,
          missing,
          previous,
          activity,
          gpuActivity,
          pod,
          quota(always, groups),
          null,
          homeConflict,
          specProblem,
          ephemeral,
          imageRefused,
          preemptedBy);
    }
  }
}
