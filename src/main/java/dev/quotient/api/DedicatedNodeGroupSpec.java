package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Which nodes a DedicatedNodeGroup reserves, and how its capacity is shared among teams. */
// Team names key the status and the pods' quotient.dev/team label: two teams of one name could
// not be told apart.
@ValidationRule(
    value =
        "!has(self.teams) || self.teams.all(t, self.teams.filter(u, u.name == t.name).size() == 1)",
    message = "spec.teams: team names must be unique")
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class DedicatedNodeGroupSpec extends UnreadableSpec {
  /** Reads a DedicatedNodeGroupSpec leniently: see {@link Unreadable}. */
  public static final class Reader extends Unreadable.Reader<DedicatedNodeGroupSpec> {
    public Reader() {
      super(DedicatedNodeGroupSpec.class, DedicatedNodeGroupSpec::new, "spec");
    }
  }

  @JsonPropertyDescription("Nodes with all these labels are members.")
  private Map<String, String> nodeSelector;

  @JsonPropertyDescription("Nodes named here are members.")
  private List<String> nodeNames;

  @JsonPropertyDescription(
      "Taint members NoSchedule so only projects whose license names this group run there.")
  @Default("true")
  private Boolean taint;

  @JsonPropertyDescription(
      "Team shares: namespaces (by name or label) with a guaranteed cpu/memory/gpu share of the"
          + " group. Projects of a namespace in no team use what the shares leave of the group's"
          + " capacity. Empty: the group is one pool for every project placed on it.")
  @Size(max = 32)
  private List<TeamShareSpec> teams;

  @JsonPropertyDescription(
      "Over-quota: whether preemptible projects may borrow idle share of other teams.")
  private OverQuotaSpec overQuota;

  public List<TeamShareSpec> getTeams() {
    return teams;
  }

  public void setTeams(List<TeamShareSpec> teams) {
    this.teams = teams;
  }

  public OverQuotaSpec getOverQuota() {
    return overQuota;
  }

  public void setOverQuota(OverQuotaSpec overQuota) {
    this.overQuota = overQuota;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<String> getNodeNames() {
    return nodeNames;
  }

  public void setNodeNames(List<String> nodeNames) {
    this.nodeNames = nodeNames;
  }

  public Boolean getTaint() {
    return taint;
  }

  public void setTaint(Boolean taint) {
    this.taint = taint;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof DedicatedNodeGroupSpec other)) {
      return false;
    }
    return Objects.equals(raw(), other.raw())
        && Objects.equals(nodeSelector, other.nodeSelector)
        && Objects.equals(nodeNames, other.nodeNames)
        && Objects.equals(taint, other.taint)
        && Objects.equals(teams, other.teams)
        && Objects.equals(overQuota, other.overQuota);
  }

  @Override
  public int hashCode() {
    return Objects.hash(nodeSelector, nodeNames, taint, teams, overQuota);
  }
}
