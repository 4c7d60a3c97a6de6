package dev.quotient.controller;

import dev.quotient.status.StartRecord;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * The start records of the cached pods, each read once. Every look at a running project reads its
 * pod's record, and parsing it was a fifth of that look's CPU. Keyed weakly by the annotation's
 * String, which the cached pod holds: a record lives as long as its pod's version in the cache.
 * Records are values nobody changes (their quota goes into a status as it is).
 */
final class StartRecords {
  private final Map<String, Optional<StartRecord>> read = new WeakHashMap<>();

  synchronized Optional<StartRecord> of(String json) {
    if (json == null) {
      return Optional.empty();
    }
    return read.computeIfAbsent(json, StartRecord::fromJson);
  }
}
