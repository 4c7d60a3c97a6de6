package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** A user's interactive workspace: one pod (notebook, IDE, terminal) with licensed resources. */
@Group(License.GROUP)
@Version("v1alpha1")
@Plural("projects")
@ShortNames({"proj", "qproj"})
@Categories("quotient")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "CPU", jsonPath = ".status.effectiveQuota.cpuLimit")
@AdditionalPrinterColumn(name = "Memory", jsonPath = ".status.effectiveQuota.memoryLimit")
@AdditionalPrinterColumn(
    name = "GPU",
    jsonPath = ".status.effectiveQuota.gpu",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Node", jsonPath = ".status.nodeName")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(name = "Message", jsonPath = ".status.message")
@AdditionalPrinterColumn(
    name = "Group",
    jsonPath = ".status.effectiveQuota.nodeGroup",
    priority = 1)
@JsonIgnoreProperties(ignoreUnknown = true)
public class Project extends CustomResource<ProjectSpec, ProjectStatus> implements Namespaced {

  /** Read leniently: a spec of the wrong shape fails this object only (see {@link Unreadable}). */
  @Override
  @com.fasterxml.jackson.databind.annotation.JsonDeserialize(using = ProjectSpec.Reader.class)
  public void setSpec(ProjectSpec spec) {
    super.setSpec(spec);
  }
}
