package dev.quotient.quota;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict parsing and canonical formatting of Kubernetes quantities. Strict because a typo such as
 * "8GB" must become a clear status condition, not a silently different amount.
 */
public final class Quantities {
  private static final Pattern QUANTITY =
      Pattern.compile("^([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$");
  private static final Map<String, BigDecimal> SUFFIXES =
      Map.ofEntries(
          Map.entry("n", new BigDecimal("1e-9")),
          Map.entry("u", new BigDecimal("1e-6")),
          Map.entry("m", new BigDecimal("1e-3")),
          Map.entry("k", new BigDecimal("1e3")),
          Map.entry("M", new BigDecimal("1e6")),
          Map.entry("G", new BigDecimal("1e9")),
          Map.entry("T", new BigDecimal("1e12")),
          Map.entry("P", new BigDecimal("1e15")),
          Map.entry("E", new BigDecimal("1e18")),
          Map.entry("Ki", BigDecimal.valueOf(1L << 10)),
          Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
          Map.entry("Gi", BigDecimal.valueOf(1L << 30)),
          Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
          Map.entry("Pi", BigDecimal.valueOf(1L << 50)),
          Map.entry("Ei", BigDecimal.valueOf(1L << 60)));
  private static final String[] BINARY = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
  private static final String[] DECIMAL = {"E", "P", "T", "G", "M", "k"};

  /** Far above any real node, far below overflow when summed. */
  static final long MAX = Long.MAX_VALUE / 1024;

  private Quantities() {}

  /** The exact value of a quantity; throws {@link InvalidQuantityException} when malformed. */
  public static BigDecimal parse(String field, String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidQuantityException(field, text, "is empty");
    }
    Matcher m = QUANTITY.matcher(text.trim());
    if (!m.matches()) {
      throw new InvalidQuantityException(
          field, text, "is not a Kubernetes quantity (examples: 2, 500m, 8Gi, 1500M)");
    }
    BigDecimal number = new BigDecimal(m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1));
    String suffix = m.group(2);
    if (suffix == null) {
      return number;
    }
    if (!SUFFIXES.containsKey(suffix)) { // a decimal exponent such as e3 ("Ei" is a suffix)
      int exp;
      try {
        exp = Integer.parseInt(suffix.substring(1));
      } catch (NumberFormatException e) {
        exp = Integer.MAX_VALUE;
      }
      if (exp < -30 || exp > 30) {
        throw new InvalidQuantityException(field, text, "has an absurd exponent");
      }
      return number.scaleByPowerOfTen(exp);
    }
    return number.multiply(SUFFIXES.get(suffix));
  }

  /** CPU in millicores, rounded up as Kubernetes does (a request of 0.1m becomes 1m). */
  public static long cpuMillis(String field, String text) {
    return toLong(field, text, parse(field, text).movePointRight(3));
  }

  /** Memory (or any byte amount) in bytes, rounded up. */
  public static long bytes(String field, String text) {
    return toLong(field, text, parse(field, text));
  }

  /** A whole count (GPUs); fractions are refused since devices cannot be split. */
  public static long count(String field, String text) {
    BigDecimal value = parse(field, text);
    if (value.stripTrailingZeros().scale() > 0) {
      throw new InvalidQuantityException(field, text, "must be a whole number");
    }
    return toLong(field, text, value);
  }

  private static long toLong(String field, String text, BigDecimal value) {
    BigDecimal rounded = value.setScale(0, RoundingMode.CEILING);
    if (rounded.compareTo(BigDecimal.valueOf(MAX)) > 0) {
      throw new InvalidQuantityException(field, text, "is too large");
    }
    return rounded.longValueExact();
  }

  /** "2" for 2000 millicores, "1500m" otherwise. */
  public static String formatCpu(long millis) {
    return millis % 1000 == 0 ? Long.toString(millis / 1000) : millis + "m";
  }

  /** The shortest exact form: "8Gi", "1500M", or plain bytes (binary wins a tie). */
  public static String formatBytes(long bytes) {
    String best = Long.toString(bytes);
    if (bytes == 0) {
      return best;
    }
    for (String[] units : new String[][] {DECIMAL, BINARY}) {
      for (String unit : units) {
        long size = SUFFIXES.get(unit).longValueExact();
        if (bytes % size == 0) {
          String candidate = bytes / size + unit;
          if (candidate.length() <= best.length()) {
            best = candidate;
          }
          break;
        }
      }
    }
    return best;
  }
}
