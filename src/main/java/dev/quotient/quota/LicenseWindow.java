package dev.quotient.quota;

import dev.quotient.api.LicensePhase;
import dev.quotient.api.LicenseSpec;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** A license's activates/expires window; no expires = perpetual. */
public record LicenseWindow(Instant activates, Instant expires) {

  /**
   * The window as written; throws {@link InvalidQuantityException} for a time that is not RFC 3339,
   * or an expiry that is not after the activation (the CRD's rule, which the mock does not check).
   */
  public static LicenseWindow of(LicenseSpec spec) {
    LicenseWindow w =
        new LicenseWindow(
            time("spec.activates", spec == null ? null : spec.getActivates()),
            time("spec.expires", spec == null ? null : spec.getExpires()));
    if (w.activates() != null && w.expires() != null && !w.expires().isAfter(w.activates())) {
      throw new InvalidQuantityException(
          "spec.expires", spec.getExpires(), "is not after spec.activates " + spec.getActivates());
    }
    return w;
  }

  private static Instant time(String field, String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text.trim()).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidQuantityException(
          field, text, "is not an RFC 3339 time (example: 2026-01-31T00:00:00Z)");
    }
  }

  public LicensePhase phaseAt(Instant now) {
    if (activates != null && now.isBefore(activates)) {
      return LicensePhase.Pending;
    }
    if (expires != null && !now.isBefore(expires)) {
      return LicensePhase.Expired;
    }
    return LicensePhase.Active;
  }

  /** The next instant at which the phase changes, if any. */
  public Optional<Instant> nextTransitionAfter(Instant now) {
    if (activates != null && now.isBefore(activates)) {
      return Optional.of(activates);
    }
    if (expires != null && now.isBefore(expires)) {
      return Optional.of(expires);
    }
    return Optional.empty();
  }
}
