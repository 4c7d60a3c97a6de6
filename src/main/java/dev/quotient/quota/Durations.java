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
