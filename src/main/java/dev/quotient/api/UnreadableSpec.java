package dev.quotient.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The part every leniently read spec shares: what could not be read, and the spec as the API server
 * holds it (see {@link Unreadable}). Neither is ever serialized: the operator never writes a spec.
 */
public abstract class UnreadableSpec implements Unreadable {
  @JsonIgnore private String problem;
  @JsonIgnore private JsonNode raw;

  @Override
  public String problem() {
    return problem;
  }

  @Override
  public JsonNode raw() {
    return raw;
  }

  @Override
  public void unreadable(String problem, JsonNode raw) {
    this.problem = problem;
    this.raw = raw;
  }
}
