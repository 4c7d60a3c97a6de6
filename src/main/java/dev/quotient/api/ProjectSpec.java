package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonSetter;
import io.fabric8.crd.generator.annotation.SchemaFrom;
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
// A run does not turn into a workspace, nor a workspace into a run: their pods, limits and records
// differ (the default fills the field in, so it is always set once stored).
@ValidationRule(
    value = "!has(oldSelf.lifetime) || (has(self.lifetime) && self.lifetime == oldSelf.lifetime)",
    message =
        "spec.lifetime is immutable: a run does not turn into a workspace (create a new Project)")
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ProjectSpec extends UnreadableSpec {
  /** Reads a ProjectSpec leniently: see {@link Unreadable}. */
  public static final class Reader extends Unreadable.Reader<ProjectSpec> {
    public Reader() {
      super(ProjectSpec.class, ProjectSpec::new, "spec");
    }
  }

  @JsonPropertyDescription(
      "Stable id (UUID) naming the home directory; defaults to metadata.uid. Only admins may set it (admission policy), and once set it cannot change.")
  private String projectId;

  @JsonPropertyDescription("Running or Stopped: the user's start/stop request.")
  @Default("Running")
  @SchemaFrom(type = DesiredState.class)
  private DesiredState desiredState;

  @JsonPropertyDescription(
      "Persistent (the interactive workspace) or Ephemeral (an agent run: its command runs to completion once, then Succeeded or Failed). Immutable.")
  @Default("Persistent")
  @SchemaFrom(type = Lifetime.class)
  private Lifetime lifetime;

  @JsonPropertyDescription(
      "The container's command (entrypoint), replacing the image's; an Ephemeral run's command is what it runs to completion.")
  private List<String> command;

  @JsonPropertyDescription("Arguments to the command (or to the image's entrypoint).")
  private List<String> args;

  @JsonPropertyDescription(
      "Names of Licenses applied to this project. Changes take effect at the next start (by default the operator restarts a running project at once).")
  private List<String> licenses;

  @JsonPropertyDescription(
      "Container image; must be one of the settings' allowed images, otherwise the default image is used.")
  private String image;

  @JsonPropertyDescription(
      "Base upgrades set by an admin. Per field the effective value is max(adminQuota, licenses): they complement, they do not add up.")
  private QuotaSpec adminQuota;

  // The user's own choice: marking a project preemptible only lowers its rights (it may be
  // stopped to give a team its share back), so it needs no admin; it is read at each start.
  @JsonPropertyDescription(
      "Preemptible: on a DedicatedNodeGroup with team shares and overQuota enabled, the project may"
          + " borrow idle share of other teams when its own team's share is used up, and is then"
          + " stopped (stopReason Preempted) when the owning team needs that share back. Read at"
          + " each start.")
  private Boolean preemptible;

  /**
   * spec.desiredState as written, when it is none this operator knows (a newer CRD's value): kept
   * so the status can name it; the project is then neither started nor stopped by the operator.
   */
  @JsonIgnore private String unknownDesiredState;

  /** spec.lifetime as written, when it is none this operator knows (kept like desiredState). */
  @JsonIgnore private String unknownLifetime;

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
    this.unknownDesiredState = null;
  }

  /** How Jackson reads the field: leniently, keeping a value it does not know. */
  @JsonSetter("desiredState")
  private void readDesiredState(String value) {
    desiredState = DesiredState.fromJson(value);
    unknownDesiredState = desiredState == null ? value : null;
  }

  @JsonIgnore
  public String getUnknownDesiredState() {
    return unknownDesiredState;
  }

  /**
   * How Jackson writes the field: as it was read, an unknown value included, so that a copy made
   * through JSON (the framework clones each resource before a reconcile) still knows it. The schema
   * stays the enum's.
   */
  @JsonGetter("desiredState")
  private String writeDesiredState() {
    return desiredState != null ? desiredState.name() : unknownDesiredState;
  }

  public Lifetime getLifetime() {
    return lifetime;
  }

  public void setLifetime(Lifetime lifetime) {
    this.lifetime = lifetime;
    this.unknownLifetime = null;
  }

  /** How Jackson reads the field: leniently, keeping a value it does not know. */
  @JsonSetter("lifetime")
  private void readLifetime(String value) {
    lifetime = Lifetime.fromJson(value);
    unknownLifetime = lifetime == null ? value : null;
  }

  /** How Jackson writes the field: as it was read (see {@link #writeDesiredState()}). */
  @JsonGetter("lifetime")
  private String writeLifetime() {
    return lifetime != null ? lifetime.name() : unknownLifetime;
  }

  @JsonIgnore
  public String getUnknownLifetime() {
    return unknownLifetime;
  }

  /** Whether this is an ephemeral run (an unknown lifetime is neither: see unknownLifetime). */
  @JsonIgnore
  public boolean isEphemeral() {
    return lifetime == Lifetime.Ephemeral;
  }

  public List<String> getCommand() {
    return command;
  }

  public void setCommand(List<String> command) {
    this.command = command;
  }

  public List<String> getArgs() {
    return args;
  }

  public void setArgs(List<String> args) {
    this.args = args;
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

  public Boolean getPreemptible() {
    return preemptible;
  }

  public void setPreemptible(Boolean preemptible) {
    this.preemptible = preemptible;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ProjectSpec other)) {
      return false;
    }
    return Objects.equals(raw(), other.raw())
        && Objects.equals(projectId, other.projectId)
        && Objects.equals(desiredState, other.desiredState)
        && Objects.equals(unknownDesiredState, other.unknownDesiredState)
        && Objects.equals(lifetime, other.lifetime)
        && Objects.equals(unknownLifetime, other.unknownLifetime)
        && Objects.equals(command, other.command)
        && Objects.equals(args, other.args)
        && Objects.equals(licenses, other.licenses)
        && Objects.equals(image, other.image)
        && Objects.equals(adminQuota, other.adminQuota)
        && Objects.equals(preemptible, other.preemptible);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        projectId,
        desiredState,
        unknownDesiredState,
        lifetime,
        unknownLifetime,
        command,
        args,
        licenses,
        image,
        adminQuota,
        preemptible);
  }
}
