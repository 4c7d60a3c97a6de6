package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

/** Projects a license currently upgrades. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class RunningProjects {

  @JsonPropertyDescription("How many running projects hold this license.")
  private Integer count;

  @JsonPropertyDescription("namespace/name of each project holding this license.")
  private List<String> names;

  public Integer getCount() {
    return count;
  }

  public void setCount(Integer count) {
    this.count = count;
  }

  public List<String> getNames() {
    return names;
  }

  public void setNames(List<String> names) {
    this.names = names;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof RunningProjects other)) {
      return false;
    }
    return Objects.equals(count, other.count) && Objects.equals(names, other.names);
  }

  @Override
  public int hashCode() {
    return Objects.hash(count, names);
  }
}
