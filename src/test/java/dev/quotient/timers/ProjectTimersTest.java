package dev.quotient.timers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProjectTimersTest {
  private static final Instant CREATED = Instant.parse("2026-01-01T10:00:00Z");
  private static final Instant STARTED = CREATED.plusSeconds(20);
  private static final Duration IDLE = Duration.ofMinutes(30);
  private static final Duration PENDING = Duration.ofMinutes(10);

  private static TimerDecision at(
      Instant now, Instant started, String activity, Duration idle, Duration max, boolean always) {
    return ProjectTimers.evaluate(
        new TimerInput(now, CREATED, started, activity, idle, max, always, PENDING));
  }

  @Test
  void idleCountsFromTheRunStartWithoutAnyActivity() {
    assertThat(at(STARTED.plus(IDLE).minusSeconds(1), STARTED, null, IDLE, null, false))
        .isEqualTo(new TimerDecision.NotDue(STARTED.plus(IDLE)));
    assertThat(at(STARTED.plus(IDLE), STARTED, null, IDLE, null, false))
        .isInstanceOf(TimerDecision.Stop.class)
        .extracting(d -> ((TimerDecision.Stop) d).reason())
        .isEqualTo(dev.quotient.api.StopReason.IdleTimeout);
  }

  @Test
  void recentActivityKeepsTheProjectRunning() {
    Instant activity = STARTED.plus(Duration.ofMinutes(25));
    assertThat(
            at(
                STARTED.plus(Duration.ofMinutes(40)),
                STARTED,
                activity.toString(),
                IDLE,
                null,
                false))
        .isEqualTo(new TimerDecision.NotDue(activity.plus(IDLE)));
  }

  @Test
  void activityBeforeTheRunStartedDoesNotShortenTheRun() {
    assertThat(
            at(
                STARTED.plus(Duration.ofMinutes(29)),
                STARTED,
                CREATED.minusSeconds(3600).toString(),
                IDLE,
                null,
                false))
        .isInstanceOf(TimerDecision.NotDue.class);
  }

  @Test
  void unreadableActivityCountsAsActive() {
    assertThat(at(STARTED.plus(Duration.ofHours(5)), STARTED, "yesterday-ish", IDLE, null, false))
        .isInstanceOf(TimerDecision.NotDue.class);
  }

  @Test
  void alwaysRunningIsNeverIdleStoppedButMaxDurationStillApplies() {
    assertThat(at(STARTED.plus(Duration.ofDays(3)), STARTED, null, IDLE, null, true))
        .isEqualTo(new TimerDecision.NotDue(null));
    assertThat(
            at(STARTED.plus(Duration.ofHours(8)), STARTED, null, IDLE, Duration.ofHours(8), true))
        .extracting(d -> ((TimerDecision.Stop) d).reason())
        .isEqualTo(dev.quotient.api.StopReason.MaxDuration);
  }

  @Test
  void maxDurationStopsEvenAnActiveProject() {
    Instant now = STARTED.plus(Duration.ofHours(2));
    TimerDecision d = at(now, STARTED, now.toString(), IDLE, Duration.ofHours(2), false);
    assertThat(d)
        .isEqualTo(
            new TimerDecision.Stop(
                dev.quotient.api.StopReason.MaxDuration, "Ran for its maximum duration of 2h"));
  }

  @Test
  void thePendingTimerRunsUntilThePodRuns() {
    assertThat(at(CREATED.plus(PENDING).minusSeconds(1), null, null, IDLE, null, false))
        .isEqualTo(new TimerDecision.NotDue(CREATED.plus(PENDING)));
    assertThat(at(CREATED.plus(PENDING), null, null, IDLE, null, false))
        .isEqualTo(
            new TimerDecision.Stop(
                dev.quotient.api.StopReason.PendingTimeout, "The pod did not start within 10m"));
  }

  @Test
  void theNextDueIsTheEarliestTimer() {
    assertThat(at(STARTED.plusSeconds(60), STARTED, null, IDLE, Duration.ofMinutes(10), false))
        .isEqualTo(new TimerDecision.NotDue(STARTED.plus(Duration.ofMinutes(10))));
    assertThat(at(STARTED.plusSeconds(60), STARTED, null, null, null, false))
        .isEqualTo(new TimerDecision.NotDue(null));
  }

  private static TimerDecision gpu(Instant now, String gpuActivity, boolean always) {
    return ProjectTimers.evaluate(
        new TimerInput(
            now, CREATED, STARTED, null, null, null, always, PENDING, gpuActivity, GPU_IDLE));
  }

  private static final Duration GPU_IDLE = Duration.ofMinutes(45);

  @Test
  void idleGpusStopTheProjectCountedFromTheRunStartOrTheirLastActivity() {
    assertThat(gpu(STARTED.plus(GPU_IDLE).minusSeconds(1), null, false))
        .isEqualTo(new TimerDecision.NotDue(STARTED.plus(GPU_IDLE)));
    assertThat(gpu(STARTED.plus(GPU_IDLE), null, false))
        .isEqualTo(
            new TimerDecision.Stop(
                dev.quotient.api.StopReason.GpuIdle,
                "No GPU activity since " + STARTED + " (GPU idle timeout 45m)"));
    Instant busy = STARTED.plus(Duration.ofMinutes(30));
    assertThat(gpu(busy.plus(GPU_IDLE).minusSeconds(1), busy.toString(), false))
        .isEqualTo(new TimerDecision.NotDue(busy.plus(GPU_IDLE)));
    assertThat(gpu(busy.plus(GPU_IDLE), busy.toString(), false))
        .isInstanceOf(TimerDecision.Stop.class);
  }

  @Test
  void unreadableGpuActivityCountsAsBusyAndAlwaysRunningProjectsAreNeverGpuStopped() {
    Instant late = STARTED.plus(Duration.ofDays(1));
    assertThat(gpu(late, "not a time", false))
        .isEqualTo(new TimerDecision.NotDue(late.plus(GPU_IDLE)));
    assertThat(gpu(late, null, true)).isEqualTo(new TimerDecision.NotDue(null));
  }
}
