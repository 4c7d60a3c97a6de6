package dev.quotient.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that moves only when a test moves it, so timers are tested without sleeping. It starts at
 * the real time, so times the API server stamps (pod creation, start) are not in its future.
 */
public final class FakeClock extends Clock {
  private final AtomicReference<Instant> now;

  public FakeClock(Instant start) {
    this.now = new AtomicReference<>(start);
  }

  public static FakeClock startingNow() {
    return new FakeClock(Instant.now());
  }

  public Instant advance(Duration d) {
    return now.updateAndGet(t -> t.plus(d));
  }

  /** Moves to the real time if that is later (objects stamped by the API server meanwhile). */
  public Instant catchUp() {
    Instant real = Instant.now();
    return now.updateAndGet(t -> t.isBefore(real) ? real : t);
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
