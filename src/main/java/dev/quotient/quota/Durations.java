package dev.quotient.quota;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations ("90m", "1h30m", "2d") as used by Kubernetes users in YAML. */
public final class Durations {
  private static final Pattern WHOLE =
      Pattern.compile("^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h|d))+$");
  private static final Pattern PART =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|m|h|d)");

  private Durations() {}

  public static Duration parse(String field, String text) {
    Duration whole = text == null ? null : wholeUnits(text.trim());
    return whole != null ? whole : general(field, text);
  }

  /** Any form the pattern allows, fractions included; the reason when it is not a duration. */
  static Duration general(String field, String text) {
    if (text == null || !WHOLE.matcher(text.trim()).matches()) {
      throw new InvalidQuantityException(
          field, text, "is not a duration (examples: 30m, 2h, 1h30m, 7d)");
    }
    Matcher m = PART.matcher(text.trim());
    BigDecimal nanos = BigDecimal.ZERO;
    while (m.find()) {
      BigDecimal unit =
          switch (m.group(2)) {
            case "ns" -> BigDecimal.ONE;
            case "us", "µs" -> BigDecimal.valueOf(1_000L);
            case "ms" -> BigDecimal.valueOf(1_000_000L);
            case "s" -> BigDecimal.valueOf(1_000_000_000L);
            case "m" -> BigDecimal.valueOf(60_000_000_000L);
            case "h" -> BigDecimal.valueOf(3_600_000_000_000L);
            default -> BigDecimal.valueOf(86_400_000_000_000L);
          };
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(unit));
    }
    if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new InvalidQuantityException(field, text, "is too long");
    }
    return Duration.ofNanos(nanos.longValue());
  }

  /**
   * Whole numbers of units ("90m", "1h30m", "2d"), read without a regex or BigDecimal: every look
   * at a running project reads its timeouts, and the general path was a twelfth of a timer pass.
   * Null for anything else (a fraction, "µs", a mistake, a sum past Long.MAX_VALUE nanoseconds),
   * which {@link #general} reads or refuses with the reason.
   */
  static Duration wholeUnits(String t) {
    int n = t.length();
    if (n == 0) {
      return null;
    }
    long nanos = 0;
    int i = 0;
    while (i < n) {
      int start = i;
      long v = 0;
      for (; i < n && t.charAt(i) >= '0' && t.charAt(i) <= '9'; i++) {
        if (v > (Long.MAX_VALUE - 9) / 10) {
          return null;
        }
        v = v * 10 + (t.charAt(i) - '0');
      }
      if (i == start || i == n) {
        return null;
      }
      char c = t.charAt(i);
      boolean thenS = i + 1 < n && t.charAt(i + 1) == 's';
      long unit;
      if (c == 'n' && thenS) {
        unit = 1L;
        i += 2;
      } else if (c == 'u' && thenS) {
        unit = 1_000L;
        i += 2;
      } else if (c == 'm' && thenS) {
        unit = 1_000_000L;
        i += 2;
      } else {
        unit =
            switch (c) {
              case 's' -> 1_000_000_000L;
              case 'm' -> 60_000_000_000L;
              case 'h' -> 3_600_000_000_000L;
              case 'd' -> 86_400_000_000_000L;
              default -> -1L;
            };
        if (unit < 0) {
          return null;
        }
        i++;
      }
      try {
        nanos = Math.addExact(nanos, Math.multiplyExact(v, unit));
      } catch (ArithmeticException tooLong) {
        return null;
      }
    }
    return Duration.ofNanos(nanos);
  }

  /** "2h", "1h30m", "45s": the form users write. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    long h = d.toHours();
    int m = d.toMinutesPart();
    int s = d.toSecondsPart();
    if (h > 0) {
      sb.append(h).append('h');
    }
    if (m > 0) {
      sb.append(m).append('m');
    }
    if (s > 0 || d.toMillisPart() > 0 || sb.length() == 0) {
      sb.append(
              BigDecimal.valueOf(s)
                  .add(BigDecimal.valueOf(d.toMillisPart(), 3))
                  .stripTrailingZeros()
                  .toPlainString())
          .append('s');
    }
    return sb.toString();
  }
}
