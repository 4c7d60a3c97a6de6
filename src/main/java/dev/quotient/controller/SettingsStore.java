package dev.quotient.controller;

import dev.quotient.settings.InvalidSettingsException;
import dev.quotient.settings.Settings;
import dev.quotient.settings.SettingsParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settings in force. A reload that fails keeps the last good settings and reports why;
 * listeners hear about every accepted change (to wake waiting projects, for instance).
 */
public final class SettingsStore {
  private static final Logger log = LoggerFactory.getLogger(SettingsStore.class);
  private final AtomicReference<Settings> current;
  private final List<Consumer<Settings>> listeners = new CopyOnWriteArrayList<>();
  private volatile Map<String, String> lastData;

  public SettingsStore(Settings initial) {
    this.current = new AtomicReference<>(initial);
  }

  public Settings current() {
    return current.get();
  }

  public void onChange(Consumer<Settings> listener) {
    listeners.add(listener);
  }

  /** Applies new ConfigMap data; returns the problems when refused (empty when accepted). */
  public List<String> reload(Map<String, String> data) {
    Map<String, String> d = data == null ? Map.of() : data;
    if (d.equals(lastData)) {
      return List.of();
    }
    try {
      Settings next = SettingsParser.parse(d);
      lastData = d;
      current.set(next);
      log.info("settings reloaded");
      new ArrayList<>(listeners).forEach(l -> l.accept(next));
      return List.of();
    } catch (InvalidSettingsException e) {
      log.error("settings change refused, keeping the last good settings: {}", e.getMessage());
      return e.problems();
    }
  }
}
