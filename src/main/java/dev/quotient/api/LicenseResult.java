package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** How one named license applies to this project. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class LicenseResult {

  @JsonPropertyDescription("License name.")
  private String name;

  @JsonPropertyDescription(
      "Applied, NotFound, NotYetActive, Expired, RunLimitReached, Incompatible, Forbidden or Invalid.")
  private LicenseState state;

  @JsonPropertyDescription(
      "CamelCase reason, e.g. LicenseExpired (the same words as the LicensesValid condition and the Events).")
  private String reason;

  @JsonPropertyDescription("Why, in words.")
  private String message;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public LicenseState getState() {
    return state;
  }

  public void setState(LicenseState state) {
    this.state = state;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof LicenseResult other)) {
      return false;
    }
    return Objects.equals(name, other.name)
        && Objects.equals(reason, other.reason)
        && Objects.equals(state, other.state)
        && Objects.equals(message, other.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, state, reason, message);
  }
}
