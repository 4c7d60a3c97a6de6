package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A set of tainted, labelled nodes reserved for projects whose license names it (cluster-scoped).
 */
@Group(License.GROUP)
@Version("v1alpha1")
@Plural("dedicatednodegroups")
@ShortNames({"dng", "nodegroup"})
@Categories("quotient")
@AdditionalPrinterColumn(
    name = "Nodes",
    jsonPath = ".status.nodeCount",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "CPU-Allocated", jsonPath = ".status.allocated.cpu")
@AdditionalPrinterColumn(name = "CPU-Capacity", jsonPath = ".status.capacity.cpu")
@AdditionalPrinterColumn(
    name = "Memory-Allocated",
    jsonPath = ".status.allocated.memory",
    priority = 1)
@AdditionalPrinterColumn(
    name = "Memory-Capacity",
    jsonPath = ".status.capacity.memory",
    priority = 1)
@AdditionalPrinterColumn(
    name = "Projects",
    jsonPath = ".status.runningProjects",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@JsonIgnoreProperties(ignoreUnknown = true)
public class DedicatedNodeGroup
    extends CustomResource<DedicatedNodeGroupSpec, DedicatedNodeGroupStatus> {

  /** Read leniently: a spec of the wrong shape fails this object only (see {@link Unreadable}). */
  @Override
  @com.fasterxml.jackson.databind.annotation.JsonDeserialize(
      using = DedicatedNodeGroupSpec.Reader.class)
  public void setSpec(DedicatedNodeGroupSpec spec) {
    super.setSpec(spec);
  }
}
