package dev.quotient.settings;

import java.util.List;

/** Settings that cannot be used, with every problem found (not just the first). */
public class InvalidSettingsException extends RuntimeException {
  private final List<String> problems;

  public InvalidSettingsException(List<String> problems) {
    super("invalid settings: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
