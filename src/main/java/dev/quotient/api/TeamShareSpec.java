package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;
import java.util.Objects;

/**
 * A team's guaranteed share of a DedicatedNodeGroup: the namespaces that make up the team and the
 * cpu, memory and GPU requests its projects may hold on the group whatever other teams do.
 */
// The status names the part of the group no team holds "unassigned".
@ValidationRule(
    value = "self.name != 'unassigned'",
    message = "'unassigned' names the part of the group in no team; pick another team name")
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class TeamShareSpec {

  @JsonPropertyDescription(
      "Name of the team, unique in the group; shown in the group's status and in the"
          + " quotient.dev/team label of its project pods.")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  @Size(max = 63)
  private String name;

  @JsonPropertyDescription(
      "Namespaces of the team, by name. A namespace in more than one team belongs to the first"
          + " team listed.")
  @Size(max = 256)
  private List<String> namespaces;

  @JsonPropertyDescription(
      "Namespaces of the team, by label (in addition to namespaces). A namespace in more than one"
          + " team belongs to the first team listed.")
  private LabelSelector namespaceSelector;

  @JsonPropertyDescription(
      "The guaranteed share of the group: cpu, memory and gpu requests (Kubernetes quantities)"
          + " the team's projects may hold on it. A resource left unset is not divided: the team may"
          + " use up to the group's capacity of it, with no guarantee.")
  private ShareSpec share;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public List<String> getNamespaces() {
    return namespaces;
  }

  public void setNamespaces(List<String> namespaces) {
    this.namespaces = namespaces;
  }

  public LabelSelector getNamespaceSelector() {
    return namespaceSelector;
  }

  public void setNamespaceSelector(LabelSelector namespaceSelector) {
    this.namespaceSelector = namespaceSelector;
  }

  public ShareSpec getShare() {
    return share;
  }

  public void setShare(ShareSpec share) {
    this.share = share;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof TeamShareSpec other)) {
      return false;
    }
    return Objects.equals(name, other.name)
        && Objects.equals(namespaces, other.namespaces)
        && Objects.equals(namespaceSelector, other.namespaceSelector)
        && Objects.equals(share, other.share);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, namespaces, namespaceSelector, share);
  }
}
