package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Objects;

/** What the user asks of a project. */
// projectId names the home directory: changing or removing it would move the project to another
// user's files (or orphan its own), so once set it stays. Setting it later is the admission
// policy's business (admins only).
@ValidationRule(
    value =
        "!has(oldSelf.projectId) || (has(self.projectId) && self.projectId == oldSelf.projectId)",
    message = "spec.projectId is immutable once set: it names the project's home directory")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProjectSpec {

  @JsonPropertyDescription(
      "Stable id (UUID) naming the home directory; defaults to metadata.uid. Only admins may set it (admission policy), and once set it cannot change.")
  private String projectId;

  @JsonPropertyDescription("Running or Stopped: the user's start/stop request.")
  @Default("Running")
  private DesiredState desiredState;

  @JsonPropertyDescription(
      "Names of Licenses applied to this project. Changes take effect at the next start (by default the operator restarts a running project at once).")
  private List<String> licenses;

  @JsonPropertyDescription(
      "Container image; must be one of the settings' allowed images, otherwise the default image is used.")
  private String image;

  @JsonPropertyDescription(
      "Base upgrades set by an admin. Per field the effective value is max(adminQuota, licenses): they complement, they do not add up.")
  private QuotaSpec adminQuota;

  public String getProjectId() {
    return projectId;
  }

  public void setProjectId(String projectId) {
    this.projectId = projectId;
  }

  public DesiredState getDesiredState() {
    return desiredState;
  }

  public void setDesiredState(DesiredState desiredState) {
    this.desiredState = desiredState;
  }

  public List<String> getLicenses() {
    return licenses;
  }

  public void setLicenses(List<String> licenses) {
    this.licenses = licenses;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public QuotaSpec getAdminQuota() {
    return adminQuota;
  }

  public void setAdminQuota(QuotaSpec adminQuota) {
    this.adminQuota = adminQuota;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ProjectSpec other)) {
      return false;
    }
    return Objects.equals(projectId, other.projectId)
        && Objects.equals(desiredState, other.desiredState)
        && Objects.equals(licenses, other.licenses)
        && Objects.equals(image, other.image)
        && Objects.equals(adminQuota, other.adminQuota);
  }

  @Override
  public int hashCode() {
    return Objects.hash(projectId, desiredState, licenses, image, adminQuota);
  }
}
