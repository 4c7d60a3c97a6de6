package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** An admin-defined resource upgrade that users apply to their Projects (cluster-scoped). */
@Group(License.GROUP)
@Version("v1alpha1")
@Plural("licenses")
@ShortNames({"lic", "qlic"})
@Categories("quotient")
@AdditionalPrinterColumn(name = "Title", jsonPath = ".spec.title", priority = 1)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(
    name = "Running",
    jsonPath = ".status.runningProjects.count",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Limit",
    jsonPath = ".spec.runLimit",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Expires", jsonPath = ".spec.expires")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@JsonIgnoreProperties(ignoreUnknown = true)
public class License extends CustomResource<LicenseSpec, LicenseStatus> {
  public static final String GROUP = "quotient.dev";

  /** Read leniently: a spec of the wrong shape fails this object only (see {@link Unreadable}). */
  @Override
  @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = LicenseSpec.Reader.class)
  public void setSpec(LicenseSpec spec) {
    super.setSpec(spec);
  }
}
