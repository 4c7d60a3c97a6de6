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
    String t = text.trim();
    Instant fast = utc(t);
    if (fast != null) {
      return fast;
    }
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The form Kubernetes and this operator write ({@code 2026-03-01T10:00:00Z}, with or without a
   * fraction), read without a DateTimeFormatter: a look at every project parses several times each,
   * and the formatter was a third of that look's CPU. Null for any other form (offsets, lower-case
   * letters), which the formatter then reads.
   */
  static Instant utc(String t) {
    int n = t.length();
    if (n < 20
        || t.charAt(4) != '-'
        || t.charAt(7) != '-'
        || t.charAt(10) != 'T'
        || t.charAt(13) != ':'
        || t.charAt(16) != ':'
        || t.charAt(n - 1) != 'Z') {
      return null;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 2);
    int day = digits(t, 8, 2);
    int hour = digits(t, 11, 2);
    int minute = digits(t, 14, 2);
    int second = digits(t, 17, 2);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
      return null;
    }
    int nanos = 0;
    if (n > 20) {
      int fraction = n - 21;
      if (t.charAt(19) != '.' || fraction < 1 || fraction > 9) {
        return null;
      }
      int f = digits(t, 20, fraction);
      if (f < 0) {
        return null;
      }
      nanos = f;
      for (int i = fraction; i < 9; i++) {
        nanos *= 10;
      }
    }
    if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) {
      return null;
    }
    if (day < 1 || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
      return null;
    }
    long days = java.time.LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
  }

  /** The number in t[from, from + count), or -1 when a character there is not a digit. */
  private static int digits(String t, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
