package dev.quotient.timers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the Prometheus text exposition format (version 0.0.4), as exporters serve it on /metrics:
 * {@code name{label="value",...} value [timestamp]} per line, {@code #} lines (HELP, TYPE and plain
 * comments) and blank lines skipped. A line that does not follow the format is counted and left
 * out, never fatal: one odd line of an exporter must not hide every other sample.
 */
public final class PrometheusText {
  private PrometheusText() {}

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value) {
    public Sample {
      labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    public String label(String name) {
      return labels.get(name);
    }
  }

  /**
   * What a scrape held.
   *
   * @param malformed lines that were neither a sample, a comment nor blank
   */
  public record Parsed(List<Sample> samples, int malformed) {
    public Parsed {
      samples = List.copyOf(samples);
    }
  }

  public static Parsed parse(String text) {
    List<Sample> samples = new ArrayList<>();
    int malformed = 0;
    for (String line : text.split("\r?\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      Sample s = new LineReader(trimmed).sample();
      if (s == null) {
        malformed++;
      } else {
        samples.add(s);
      }
    }
    return new Parsed(samples, malformed);
  }

  /** A cursor over one line; every method returns null (or false) where the line breaks format. */
  private static final class LineReader {
    private final String s;
    private int i;

    LineReader(String s) {
      this.s = s;
    }

    Sample sample() {
      String name = name(true);
      if (name == null) {
        return null;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      int afterName = i;
      skipBlanks();
      if (peek() == '{') {
        i++;
        if (!labels(labels)) {
          return null;
        }
      } else {
        i = afterName;
      }
      if (!blanks()) {
        return null;
      }
      String value = token();
      Double v = value(value);
      if (v == null) {
        return null;
      }
      if (i < s.length()) {
        // An optional timestamp (milliseconds), then nothing.
        if (!blanks()) {
          return null;
        }
        String ts = token();
        if (!ts.matches("-?[0-9]+") || i < s.length()) {
          return null;
        }
      }
      return new Sample(name, labels, v);
    }

    /** label="value" pairs up to '}', a trailing comma allowed. */
    private boolean labels(Map<String, String> out) {
      while (true) {
        skipBlanks();
        if (peek() == '}') {
          i++;
          return true;
        }
        String label = name(false);
        if (label == null) {
          return false;
        }
        skipBlanks();
        if (peek() != '=') {
          return false;
        }
        i++;
        skipBlanks();
        String value = quoted();
        if (value == null || out.containsKey(label)) {
          return false;
        }
        out.put(label, value);
        skipBlanks();
        if (peek() == ',') {
          i++;
        } else if (peek() != '}') {
          return false;
        }
      }
    }

    /** A double-quoted label value with the format's three escapes: \\, \" and \n. */
    private String quoted() {
      if (peek() != '"') {
        return null;
      }
      i++;
      StringBuilder b = new StringBuilder();
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          if (i >= s.length()) {
            return null;
          }
          char e = s.charAt(i++);
          switch (e) {
            case '\\' -> b.append('\\');
            case '"' -> b.append('"');
            case 'n' -> b.append('\n');
            default -> {
              return null;
            }
          }
        } else {
          b.append(c);
        }
      }
      return null;
    }

    /** A metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or a label name (no colons). */
    private String name(boolean metric) {
      int start = i;
      while (i < s.length()) {
        char c = s.charAt(i);
        boolean ok =
            c == '_'
                || (metric && c == ':')
                || (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (i > start && c >= '0' && c <= '9');
        if (!ok) {
          break;
        }
        i++;
      }
      return i == start ? null : s.substring(start, i);
    }

    private String token() {
      int start = i;
      while (i < s.length() && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
        i++;
      }
      return s.substring(start, i);
    }

    private static Double value(String v) {
      switch (v) {
        case "NaN":
          return Double.NaN;
        case "+Inf":
        case "Inf":
          return Double.POSITIVE_INFINITY;
        case "-Inf":
          return Double.NEGATIVE_INFINITY;
        default:
          if (!v.matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
            return null;
          }
          return Double.parseDouble(v);
      }
    }

    /** At least one blank, skipped; false when there is none. */
    private boolean blanks() {
      int start = i;
      skipBlanks();
      return i > start;
    }

    private void skipBlanks() {
      while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
        i++;
      }
    }

    private char peek() {
      return i < s.length() ? s.charAt(i) : '\0';
    }
  }
}
