package dev.quotient.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A field selector ({@code involvedObject.name=p,involvedObject.kind=Project}) applied to stored
 * objects. The CRUD mock answers a list with one by an empty list; {@code kubectl describe} finds
 * an object's Events this way.
 */
public record FieldSelector(List<Requirement> requirements) {
  /** One {@code path=value} ({@code ==} too) or {@code path!=value}. */
  public record Requirement(String path, boolean equal, String value) {
    boolean matches(JsonNode item) {
      JsonNode node = item;
      for (String part : path.split("\\.")) {
        node = node.path(part);
      }
      String actual = node.isValueNode() ? node.asText() : "";
      return actual.equals(value) == equal;
    }
  }

  public static FieldSelector parse(String selector) {
    List<Requirement> out = new ArrayList<>();
    for (String term : selector.split(",")) {
      if (term.isBlank()) {
        continue;
      }
      int notEqual = term.indexOf("!=");
      if (notEqual > 0) {
        out.add(new Requirement(term.substring(0, notEqual), false, term.substring(notEqual + 2)));
        continue;
      }
      int equal = term.indexOf('=');
      if (equal <= 0) {
        throw new IllegalArgumentException("not a field selector term: " + term);
      }
      String value = term.substring(equal + 1);
      out.add(
          new Requirement(
              term.substring(0, equal), true, value.startsWith("=") ? value.substring(1) : value));
    }
    return new FieldSelector(List.copyOf(out));
  }

  public boolean matches(JsonNode item) {
    return requirements.stream().allMatch(r -> r.matches(item));
  }
}
