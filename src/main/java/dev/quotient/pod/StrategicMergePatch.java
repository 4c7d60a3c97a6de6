package dev.quotient.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The part of Kubernetes' strategic merge patch that matters for pods: objects merge, null deletes,
 * lists of named things merge by their key (containers by name, volumeMounts by mountPath, ...),
 * tolerations append, other lists replace, and {@code $patch: delete|replace} directives work on
 * objects and list items.
 */
public final class StrategicMergePatch {
  private static final Map<String, String> MERGE_KEYS =
      Map.of(
          "containers", "name",
          "initContainers", "name",
          "ephemeralContainers", "name",
          "volumes", "name",
          "env", "name",
          "volumeMounts", "mountPath",
          "ports", "containerPort",
          "imagePullSecrets", "name",
          "hostAliases", "ip");
  private static final String DIRECTIVE = "$patch";

  private StrategicMergePatch() {}

  /** Returns a patched copy; throws IllegalArgumentException for a patch of the wrong shape. */
  public static JsonNode apply(JsonNode target, JsonNode patch) {
    if (patch == null || patch.isNull()) {
      return target;
    }
    if (!patch.isObject()) {
      throw new IllegalArgumentException(
          "podPatch must be an object (a partial Pod), not " + patch.getNodeType());
    }
    return mergeObject((ObjectNode) target.deepCopy(), (ObjectNode) patch);
  }

  private static JsonNode mergeObject(ObjectNode target, ObjectNode patch) {
    JsonNode directive = patch.get(DIRECTIVE);
    if (directive != null && "replace".equals(directive.asText())) {
      ObjectNode copy = patch.deepCopy();
      copy.remove(DIRECTIVE);
      return copy;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String name = f.getKey();
      JsonNode value = f.getValue();
      JsonNode current = target.get(name);
      if (name.equals(DIRECTIVE)) {
        continue;
      }
      if (value.isNull()) {
        target.remove(name);
      } else if (value.isObject() && current != null && current.isObject()) {
        JsonNode d = value.get(DIRECTIVE);
        if (d != null && "delete".equals(d.asText())) {
          target.remove(name);
        } else {
          target.set(name, mergeObject((ObjectNode) current, (ObjectNode) value));
        }
      } else if (value.isArray() && current != null && current.isArray()) {
        target.set(name, mergeList(name, (ArrayNode) current, (ArrayNode) value));
      } else {
        target.set(name, stripDirectives(value.deepCopy()));
      }
    }
    return target;
  }

  private static JsonNode mergeList(String field, ArrayNode current, ArrayNode patch) {
    if ("tolerations".equals(field)) {
      ArrayNode out = current.deepCopy();
      for (JsonNode item : patch) {
        if (!contains(out, item)) {
          out.add(item.deepCopy());
        }
      }
      return out;
    }
    String key = MERGE_KEYS.get(field);
    if (key == null) {
      return stripDirectives(patch.deepCopy());
    }
    ArrayNode out = current.deepCopy();
    for (JsonNode item : patch) {
      if (!item.isObject() || !item.has(key)) {
        throw new IllegalArgumentException(
            "each item of '" + field + "' needs its merge key '" + key + "'");
      }
      int index = indexOf(out, key, item.get(key));
      JsonNode d = item.get(DIRECTIVE);
      if (d != null && "delete".equals(d.asText())) {
        if (index >= 0) {
          out.remove(index);
        }
      } else if (index >= 0) {
        out.set(index, mergeObject((ObjectNode) out.get(index), (ObjectNode) item));
      } else {
        out.add(stripDirectives(item.deepCopy()));
      }
    }
    return out;
  }

  private static boolean contains(ArrayNode list, JsonNode item) {
    for (JsonNode n : list) {
      if (n.equals(item)) {
        return true;
      }
    }
    return false;
  }

  private static int indexOf(ArrayNode list, String key, JsonNode value) {
    for (int i = 0; i < list.size(); i++) {
      if (value.equals(list.get(i).get(key))) {
        return i;
      }
    }
    return -1;
  }

  private static JsonNode stripDirectives(JsonNode node) {
    if (node.isObject()) {
      ((ObjectNode) node).remove(DIRECTIVE);
      node.forEach(StrategicMergePatch::stripDirectives);
    } else if (node.isArray()) {
      node.forEach(StrategicMergePatch::stripDirectives);
    }
    return node;
  }
}
