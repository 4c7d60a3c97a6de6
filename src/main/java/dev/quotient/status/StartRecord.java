package dev.quotient.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.quotient.api.EffectiveQuotaStatus;
import dev.quotient.api.LicenseResult;
import dev.quotient.pod.PatchRejection;
import java.util.List;
import java.util.Optional;

/**
 * What a project started with (quota, license verdicts, refused patches) and when the operator
 * created the pod by its own clock (the pending timeout counts from there), written on its pod as
 * an annotation. The pod is the record of a run: if the operator stops between creating the pod and
 * writing the status, or reads a stale status, the status is rebuilt from here.
 */
public record StartRecord(
    EffectiveQuotaStatus quota,
    List<LicenseResult> licenses,
    List<PatchRejection> rejectedPatches,
    String createdAt) {
  public static final String ANNOTATION = "quotient.dev/start-record";
  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private static final ObjectReader READER = JSON.readerFor(StartRecord.class);

  public StartRecord {
    licenses = licenses == null ? List.of() : List.copyOf(licenses);
    rejectedPatches = rejectedPatches == null ? List.of() : List.copyOf(rejectedPatches);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Optional<StartRecord> fromJson(String json) {
    if (json == null || json.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(READER.readValue(json));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }
}
