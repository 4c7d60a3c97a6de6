package dev.quotient.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A spec this operator cannot read as its classes say (a field of the wrong type: a string where a
 * list belongs, a word where a number does; the mock API server stores anything, and a CRD rollback
 * can leave such objects behind). Reading it fails only that object, never the informer's list or
 * watch of every object of the kind: the spec reads as empty, with {@link #problem()} naming the
 * field and value. The operator's resource cloner carries that over to the framework's copies, and
 * the spec itself is never written back (status goes to the status subresource).
 */
public interface Unreadable {
  /** What could not be read, naming the field and value; null for a spec read as usual. */
  String problem();

  /** The spec as the API server holds it, when it could not be read. */
  JsonNode raw();

  /** Sets both, on an empty instance. */
  void unreadable(String problem, JsonNode raw);

  /** Reads a spec of type {@code T}; one that does not fit becomes an empty, unreadable one. */
  abstract class Reader<T extends Unreadable> extends StdDeserializer<T> {
    private final Class<T> type;
    private final Supplier<T> empty;
    private final String field;

    protected Reader(Class<T> type, Supplier<T> empty, String field) {
      super(type);
      this.type = type;
      this.empty = empty;
      this.field = field;
    }

    @Override
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode node = p.readValueAsTree();
      try {
        if (!node.isObject()) {
          throw MismatchedInputException.from(p, type, "not an object");
        }
        return ctxt.readTreeAsValue(node, type);
      } catch (DatabindException e) {
        T spec = empty.get();
        spec.unreadable(describe(field, node, e), node);
        return spec;
      }
    }
  }

  /** "spec.runLimit is "lots" (text) where a whole number belongs". */
  static String describe(String root, JsonNode node, DatabindException e) {
    StringBuilder path = new StringBuilder(root);
    JsonNode at = node;
    if (e instanceof JsonMappingException m) {
      for (JsonMappingException.Reference r : m.getPath()) {
        if (r.getFieldName() != null) {
          path.append('.').append(r.getFieldName());
          at = at == null ? null : at.get(r.getFieldName());
        } else if (r.getIndex() >= 0) {
          path.append('[').append(r.getIndex()).append(']');
          at = at == null ? null : at.get(r.getIndex());
        }
      }
    }
    String expected =
        e instanceof MismatchedInputException mi && mi.getTargetType() != null
            ? expected(mi.getTargetType())
            : "another type";
    String value = at == null ? "?" : at.toString();
    if (value.length() > 80) {
      value = value.substring(0, 77) + "...";
    }
    return path + " is " + value + " (" + kind(at) + ") where " + expected + " belongs";
  }

  private static String kind(JsonNode n) {
    if (n == null) {
      return "unknown";
    }
    return switch (n.getNodeType()) {
      case STRING -> "text";
      case NUMBER -> "a number";
      case BOOLEAN -> "true/false";
      case ARRAY -> "a list";
      case OBJECT, POJO -> "an object";
      default -> "null";
    };
  }

  private static String expected(Class<?> t) {
    Map<Class<?>, String> names =
        Map.of(
            Integer.class, "a whole number",
            int.class, "a whole number",
            Long.class, "a whole number",
            Boolean.class, "true or false",
            String.class, "text");
    if (names.containsKey(t)) {
      return names.get(t);
    }
    if (Collection.class.isAssignableFrom(t) || t.isArray()) {
      return "a list";
    }
    if (t.isEnum()) {
      return java.util.Arrays.stream(t.getEnumConstants())
          .map(Object::toString)
          .collect(Collectors.joining(", ", "one of ", ""));
    }
    return "an object";
  }
}
