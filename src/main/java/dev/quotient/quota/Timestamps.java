package dev.quotient.quota;

import java.time.Instant;
import java.time.OffsetDateTime;

/** RFC 3339 times as Kubernetes writes them in metadata, annotations and status. */
public final class Timestamps {
  private Timestamps() {}

  /**
   * The instant, or null when the text is absent or not a time (callers decide what that means).
   */
  public static Instant parseOrNull(String text) {
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text.trim()).toInstant();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
