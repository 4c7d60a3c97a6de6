package dev.quotient.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OverdueReadsTest {
  private static final Instant DEADLINE = Instant.parse("2026-12-01T12:00:00Z");

  /** The seconds after the deadline at which reads are made when one is tried every second. */
  private static List<Long> readsWithin(Duration span) {
    OverdueReads reads = new OverdueReads();
    List<Long> at = new ArrayList<>();
    // overdue from deadline + 10 s; something looks at the project every second
    for (long s = 10; s <= span.toSeconds(); s++) {
      if (reads.due("ns/p/uid-1", DEADLINE, DEADLINE.plusSeconds(s))) {
        at.add(s);
      }
    }
    return at;
  }

  @Test
  void anOverduePodIsReadLessOftenTheLongerItIsOverdueHoweverOftenItIsLookedAt() {
    // 5 s apart while it is less than 5 s overdue, then as long again as it is overdue, at most 60
    // s
    assertThat(readsWithin(Duration.ofMinutes(5)))
        .containsExactly(10L, 15L, 20L, 30L, 50L, 90L, 150L, 210L, 270L);
  }

  @Test
  void eachPodHasItsOwnBackoff() {
    OverdueReads reads = new OverdueReads();
    Instant t = DEADLINE.plusSeconds(20);
    assertThat(reads.due("ns/a/1", DEADLINE, t)).isTrue();
    assertThat(reads.due("ns/a/1", DEADLINE, t.plusSeconds(1))).isFalse();
    assertThat(reads.due("ns/b/2", DEADLINE, t.plusSeconds(1))).isTrue();
    // a new pod of the same project (another uid) is read at once
    assertThat(reads.due("ns/a/3", DEADLINE, t.plusSeconds(1))).isTrue();
  }

  @Test
  void podsNotReadForAWhileAreForgottenOnceManyAreRemembered() {
    OverdueReads reads = new OverdueReads();
    Instant t = DEADLINE.plusSeconds(20);
    for (int i = 0; i < 1024; i++) {
      reads.due("ns/p" + i + "/u", DEADLINE, t);
    }
    assertThat(reads.remembered()).isEqualTo(1024);
    reads.due("ns/late/u", DEADLINE, t.plus(Duration.ofMinutes(3)));
    assertThat(reads.remembered()).isEqualTo(1);
  }
}
