package dev.quotient.controller;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Wakes each Project at the time its last decision said to look again, on the operator's Clock.
 * Only the latest time per project counts. {@link #nudge()} re-checks at once: tests call it after
 * moving a fake clock, so timers are tested without sleeping.
 */
final class ProjectTimerDriver implements AutoCloseable {
  private record Due(Instant at, ResourceID id) implements Comparable<Due> {
    @Override
    public int compareTo(Due o) {
      int c = at.compareTo(o.at);
      return c != 0
          ? c
          : (id.getNamespace().orElse("") + "/" + id.getName())
              .compareTo(o.id.getNamespace().orElse("") + "/" + o.id.getName());
    }
  }

  private final Clock clock;
  private final Consumer<ResourceID> wake;
  private final Map<ResourceID, Due> byProject = new HashMap<>();
  private final TreeMap<Due, ResourceID> queue = new TreeMap<>();
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "quotient-project-timers");
            t.setDaemon(true);
            return t;
          });
  private ScheduledFuture<?> armed;
  private Instant armedFor;

  ProjectTimerDriver(Clock clock, Consumer<ResourceID> wake) {
    this.clock = clock;
    this.wake = wake;
  }

  /** Look at this project again at {@code at} (null: only on events). */
  synchronized void schedule(ResourceID id, Instant at) {
    Due old = byProject.remove(id);
    if (old != null) {
      queue.remove(old);
    }
    if (at != null) {
      Due due = new Due(at, id);
      byProject.put(id, due);
      queue.put(due, id);
    }
    arm();
  }

  synchronized void cancel(ResourceID id) {
    schedule(id, null);
  }

  /** Runs a housekeeping task on the driver's thread every {@code period} of real time. */
  void every(Duration period, Runnable task) {
    executor.scheduleWithFixedDelay(
        task, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Fires what is due now, by the clock as it reads now. */
  void nudge() {
    if (!executor.isShutdown()) {
      executor.execute(this::fireDue);
    }
  }

  private void fireDue() {
    java.util.List<ResourceID> due = new java.util.ArrayList<>();
    synchronized (this) {
      Instant now = clock.instant();
      while (!queue.isEmpty() && !queue.firstKey().at().isAfter(now)) {
        Due d = queue.pollFirstEntry().getKey();
        byProject.remove(d.id());
        due.add(d.id());
      }
      armedFor = null;
      arm();
    }
    due.forEach(wake);
  }

  private void arm() {
    // Closed: reconciles still finishing as the operator stops may ask for a next look.
    if (queue.isEmpty() || executor.isShutdown()) {
      return;
    }
    Instant next = queue.firstKey().at();
    if (armedFor != null && !next.isBefore(armedFor)) {
      return;
    }
    if (armed != null) {
      armed.cancel(false);
    }
    long delay = Math.max(0, Duration.between(clock.instant(), next).toMillis());
    armedFor = next;
    armed = executor.schedule(this::fireDue, delay, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
