package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** GPUs granted to a project. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class GpuSpec {

  @JsonPropertyDescription("Number of GPUs (limit == request).")
  @Min(0)
  private Integer count;

  @JsonPropertyDescription("Extended resource name of the GPU.")
  @Default("nvidia.com/gpu")
  private String resource;

  @JsonPropertyDescription(
      "Node labels the GPU project must run on; replaces the project-node selector from the settings.")
  private Map<String, String> nodeSelector;

  @JsonPropertyDescription("Tolerations added to the project pod, e.g. for tainted GPU nodes.")
  private List<Toleration> tolerations;

  public Integer getCount() {
    return count;
  }

  public void setCount(Integer count) {
    this.count = count;
  }

  public String getResource() {
    return resource;
  }

  public void setResource(String resource) {
    this.resource = resource;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof GpuSpec other)) {
      return false;
    }
    return Objects.equals(count, other.count)
        && Objects.equals(resource, other.resource)
        && Objects.equals(nodeSelector, other.nodeSelector)
        && Objects.equals(tolerations, other.tolerations);
  }

  @Override
  public int hashCode() {
    return Objects.hash(count, resource, nodeSelector, tolerations);
  }
}
