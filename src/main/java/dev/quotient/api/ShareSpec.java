package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import java.util.Objects;

/** A guaranteed amount of a node group's requests (never negative: the pattern has no sign). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ShareSpec {

  @JsonPropertyDescription("CPU requests, a Kubernetes quantity such as 4 or 1500m.")
  @Pattern("^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$")
  private String cpu;

  @JsonPropertyDescription("Memory requests, a Kubernetes quantity such as 16Gi.")
  @Pattern("^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$")
  private String memory;

  @JsonPropertyDescription("GPUs (whole devices).")
  @Pattern("^[0-9]+$")
  private String gpu;

  public ShareSpec() {}

  public ShareSpec(String cpu, String memory, String gpu) {
    this.cpu = cpu;
    this.memory = memory;
    this.gpu = gpu;
  }

  public String getCpu() {
    return cpu;
  }

  public void setCpu(String cpu) {
    this.cpu = cpu;
  }

  public String getMemory() {
    return memory;
  }

  public void setMemory(String memory) {
    this.memory = memory;
  }

  public String getGpu() {
    return gpu;
  }

  public void setGpu(String gpu) {
    this.gpu = gpu;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ShareSpec other)) {
      return false;
    }
    return Objects.equals(cpu, other.cpu)
        && Objects.equals(memory, other.memory)
        && Objects.equals(gpu, other.gpu);
  }

  @Override
  public int hashCode() {
    return Objects.hash(cpu, memory, gpu);
  }
}
