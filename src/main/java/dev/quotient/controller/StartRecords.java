package dev.quotient.controller;

import dev.quotient.api.EffectiveQuotaStatus;
import dev.quotient.api.LicenseResult;
import dev.quotient.pod.PatchRejection;
import dev.quotient.status.StartRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * The start records of the cached pods, each read once. Every look at a running project reads its
 * pod's record, and parsing it was a fifth of that look's CPU. A record is kept as long as the
 * cached pod holds its annotation's String (the map's weak key). What records share (the quota, the
 * license verdicts, the refused patches: the same for every project started with the same licenses)
 * is kept once, so a record costs little more than its creation time; a plain memo cost 2.6 KB of
 * heap per running project. Records are values nobody changes: their parts go into a status as they
 * are.
 */
final class StartRecords {
  private static final int SHARED_PARTS = 1_000;

  private record Parts(
      EffectiveQuotaStatus quota, List<LicenseResult> licenses, List<PatchRejection> rejected) {}

  private final Map<String, Optional<StartRecord>> read = new WeakHashMap<>();
  private final Map<Parts, Parts> shared =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Parts, Parts> eldest) {
          return size() > SHARED_PARTS;
        }
      };

  synchronized Optional<StartRecord> of(String json) {
    if (json == null) {
      return Optional.empty();
    }
    Optional<StartRecord> known = read.get(json);
    if (known != null) {
      return known;
    }
    Optional<StartRecord> parsed = StartRecord.fromJson(json).map(this::share);
    read.put(json, parsed);
    return parsed;
  }

  private StartRecord share(StartRecord r) {
    Parts parts = new Parts(r.quota(), r.licenses(), r.rejectedPatches());
    Parts kept = shared.computeIfAbsent(parts, p -> p);
    return new StartRecord(kept.quota(), kept.licenses(), kept.rejected(), r.createdAt());
  }
}
