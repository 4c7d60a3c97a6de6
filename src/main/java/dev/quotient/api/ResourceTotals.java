package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** CPU, memory and GPU amounts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class ResourceTotals {

  @JsonPropertyDescription("CPU.")
  private String cpu;

  @JsonPropertyDescription("Memory.")
  private String memory;

  @JsonPropertyDescription("GPUs.")
  private String gpu;

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
    if (!(o instanceof ResourceTotals other)) {
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
