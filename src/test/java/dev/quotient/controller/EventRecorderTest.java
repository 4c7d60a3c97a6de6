package dev.quotient.controller;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Event names stay valid names whatever the object's name. */
class EventRecorderTest {
  @Test
  void anEventOfAnObjectWithTheLongestNameStillHasAValidName() {
    String longest = "p-" + "a".repeat(240) + "-" + "b".repeat(10);
    assertThat(longest).hasSize(253);
    String name = EventRecorder.eventName(longest, "0123456789ab");
    assertThat(name).hasSize(253).startsWith("p-aaa").endsWith(".0123456789ab");
    assertThat(name).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    // cut where a dash would end the prefix: the dash goes too
    String dashAt240 = "a".repeat(239) + "-" + "b".repeat(13);
    assertThat(EventRecorder.eventName(dashAt240, "0123456789ab"))
        .isEqualTo("a".repeat(239) + ".0123456789ab");
  }

  @Test
  void anOrdinaryNameIsKept() {
    assertThat(EventRecorder.eventName("student-1", "0123456789ab"))
        .isEqualTo("student-1.0123456789ab");
  }
}
