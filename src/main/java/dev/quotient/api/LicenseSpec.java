package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;
import java.util.Objects;

/** What a License grants and to whom. */
@ValidationRule(
    value =
        "!has(self.activates) || !has(self.expires) || timestamp(self.expires) > timestamp(self.activates)",
    message = "expires must be after activates")
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class LicenseSpec extends UnreadableSpec {
  /** Reads a LicenseSpec leniently: see {@link Unreadable}. */
  public static final class Reader extends Unreadable.Reader<LicenseSpec> {
    public Reader() {
      super(LicenseSpec.class, LicenseSpec::new, "spec");
    }
  }

  @JsonPropertyDescription("Short name shown to users.")
  private String title;

  @JsonPropertyDescription("What the license is for, shown to users.")
  private String description;

  @JsonPropertyDescription(
      "User names allowed to see and hand out the license (informational; RBAC decides).")
  private List<String> managers;

  @JsonPropertyDescription(
      "Label selector on namespaces whose Projects may apply this license; empty means any project that knows its name.")
  private LabelSelector allowedNamespaces;

  @JsonPropertyDescription("How many projects this license upgrades at the same time.")
  @Required
  @Min(1)
  private Integer runLimit;

  @JsonPropertyDescription(
      "RFC 3339 time from which the license upgrades projects; empty means now.")
  @Pattern(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")
  private String activates;

  @JsonPropertyDescription(
      "RFC 3339 time at which the license stops upgrading projects; empty means perpetual. Running projects keep their quota until their next start.")
  @Pattern(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")
  private String expires;

  @JsonPropertyDescription("The upgrade: limits, GPUs, timers and placement.")
  private QuotaSpec quota;

  @JsonPropertyDescription(
      "Admin-only escape hatch: a Kubernetes strategic merge patch (JSON/YAML object) applied last to every pod this license upgrades. Lists of containers, initContainers, volumes, volumeMounts, env and ports merge by their keys (name, mountPath, containerPort), tolerations append, other lists replace, null deletes a field, and $patch: delete|replace works as in kubectl. A patch that breaks the restricted Pod Security profile is refused unless the settings allow privileged patches.")
  @PreserveUnknownFields
  private JsonNode podPatch;

  @JsonPropertyDescription(
      "Admin-only: RFC 6902 JSON Patch operations applied to the pod after podPatch, for edits a merge cannot express (remove a list item by index).")
  @PreserveUnknownFields
  private List<JsonNode> podJsonPatch;

  public String getTitle() {
    return title;
  }

  public void setTitle(String title) {
    this.title = title;
  }

  public String getDescription() {
    return description;
  }

  public void setDescription(String description) {
    this.description = description;
  }

  public List<String> getManagers() {
    return managers;
  }

  public void setManagers(List<String> managers) {
    this.managers = managers;
  }

  public LabelSelector getAllowedNamespaces() {
    return allowedNamespaces;
  }

  public void setAllowedNamespaces(LabelSelector allowedNamespaces) {
    this.allowedNamespaces = allowedNamespaces;
  }

  public Integer getRunLimit() {
    return runLimit;
  }

  public void setRunLimit(Integer runLimit) {
    this.runLimit = runLimit;
  }

  public String getActivates() {
    return activates;
  }

  public void setActivates(String activates) {
    this.activates = activates;
  }

  public String getExpires() {
    return expires;
  }

  public void setExpires(String expires) {
    this.expires = expires;
  }

  public QuotaSpec getQuota() {
    return quota;
  }

  public void setQuota(QuotaSpec quota) {
    this.quota = quota;
  }

  public JsonNode getPodPatch() {
    return podPatch;
  }

  public void setPodPatch(JsonNode podPatch) {
    this.podPatch = podPatch;
  }

  public List<JsonNode> getPodJsonPatch() {
    return podJsonPatch;
  }

  public void setPodJsonPatch(List<JsonNode> podJsonPatch) {
    this.podJsonPatch = podJsonPatch;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof LicenseSpec other)) {
      return false;
    }
    return Objects.equals(raw(), other.raw())
        && Objects.equals(title, other.title)
        && Objects.equals(description, other.description)
        && Objects.equals(managers, other.managers)
        && Objects.equals(allowedNamespaces, other.allowedNamespaces)
        && Objects.equals(runLimit, other.runLimit)
        && Objects.equals(activates, other.activates)
        && Objects.equals(expires, other.expires)
        && Objects.equals(quota, other.quota)
        && Objects.equals(podPatch, other.podPatch)
        && Objects.equals(podJsonPatch, other.podJsonPatch);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        title,
        description,
        managers,
        allowedNamespaces,
        runLimit,
        activates,
        expires,
        quota,
        podPatch,
        podJsonPatch);
  }
}
