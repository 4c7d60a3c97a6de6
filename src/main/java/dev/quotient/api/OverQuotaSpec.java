package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import java.util.Objects;

/** Whether idle team share of a DedicatedNodeGroup may be lent to preemptible projects. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class OverQuotaSpec {

  @JsonPropertyDescription(
      "Let preemptible projects (spec.preemptible, or a license's quota.preemptible) borrow the idle share of other teams beyond"
          + " their own team's; a borrowed project is stopped (Preempted) when the owning team"
          + " needs its share back.")
  @Default("false")
  private Boolean enabled;

  public OverQuotaSpec() {}

  public OverQuotaSpec(Boolean enabled) {
    this.enabled = enabled;
  }

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OverQuotaSpec other && Objects.equals(enabled, other.enabled);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(enabled);
  }
}
