package dev.quotient.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quotient.embedded.ApiResource.PrinterColumn;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The server-side printing a real API server does for {@code kubectl get} (which asks for {@code
 * Accept: application/json;as=Table;v=v1;g=meta.k8s.io}): a meta.k8s.io/v1 Table with Name, the
 * resource's printer columns (a CRD's additionalPrinterColumns) and each row's object metadata
 * (kubectl takes the NAMESPACE column of {@code -A} from it). Without it kubectl prints only names.
 */
public final class TableView {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TableView() {}

  /** Whether the Accept header asks for a Table (kubectl lists it first, then plain JSON). */
  public static boolean wanted(String accept) {
    return accept != null && accept.contains("as=Table") && accept.contains("g=meta.k8s.io");
  }

  /** The Table of a list or of one object, as the server's JSON gave it. */
  public static String of(ApiResource resource, JsonNode body, Instant now) {
    ObjectNode table = JSON.createObjectNode();
    table.put("kind", "Table");
    table.put("apiVersion", "meta.k8s.io/v1");
    ObjectNode metadata = table.putObject("metadata");
    JsonNode listMeta = body.path("metadata");
    if (body.has("items") && listMeta.has("resourceVersion")) {
      metadata.put("resourceVersion", listMeta.get("resourceVersion").asText());
    }
    ArrayNode definitions = table.putArray("columnDefinitions");
    definitions
        .addObject()
        .put("name", "Name")
        .put("type", "string")
        .put("format", "name")
        .put("description", "Name must be unique within a namespace.")
        .put("priority", 0);
    for (PrinterColumn c : resource.columns()) {
      definitions
          .addObject()
          .put("name", c.name())
          .put("type", c.type().equals("date") ? "string" : c.type())
          .put("format", c.type().equals("date") ? "date" : "")
          .put("description", c.description())
          .put("priority", c.priority());
    }
    ArrayNode rows = table.putArray("rows");
    List<JsonNode> items = new ArrayList<>();
    if (body.has("items")) {
      body.get("items").forEach(items::add);
    } else {
      items.add(body);
    }
    // A real server lists in key order (namespace, then name); the mock in creation order.
    items.sort(
        Comparator.comparing((JsonNode i) -> i.path("metadata").path("namespace").asText())
            .thenComparing(i -> i.path("metadata").path("name").asText()));
    for (JsonNode item : items) {
      ObjectNode row = rows.addObject();
      ArrayNode cells = row.putArray("cells");
      cells.add(item.path("metadata").path("name").asText());
      for (PrinterColumn c : resource.columns()) {
        JsonNode value = at(item, c.jsonPath());
        if (value == null || value.isNull() || value.isMissingNode()) {
          cells.addNull();
        } else if (c.type().equals("date")) {
          cells.add(age(value.asText(), now));
        } else if (value.isContainerNode()) {
          cells.add(value.toString());
        } else {
          cells.add(value);
        }
      }
      ObjectNode object = row.putObject("object");
      object.put("kind", "PartialObjectMetadata");
      object.put("apiVersion", "meta.k8s.io/v1");
      object.set("metadata", item.path("metadata").deepCopy());
    }
    return table.toString();
  }

  /** A simple JSONPath ({@code .status.phase}): the paths of our columns are all of this form. */
  static JsonNode at(JsonNode item, String jsonPath) {
    JsonNode node = item;
    for (String part : jsonPath.replaceFirst("^\\.", "").split("\\.")) {
      if (part.isEmpty()) {
        continue;
      }
      node = node.path(part);
    }
    return node;
  }

  /** kubectl's short age: 45s, 5m3s, 3h, 2d5h, as apimachinery's HumanDuration writes it. */
  static String age(String timestamp, Instant now) {
    Instant then;
    try {
      then = Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return "<unknown>";
    }
    Duration d = Duration.between(then, now);
    long seconds = d.getSeconds();
    if (seconds < -1) {
      return "<invalid>";
    }
    if (seconds < 0) {
      return "0s";
    }
    if (seconds < 60 * 2) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    }
    if (minutes < 60 * 3) {
      return minutes + "m";
    }
    long hours = minutes / 60;
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    }
    if (hours < 48) {
      return hours + "h";
    }
    if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
    }
    if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    }
    if (hours < 24 * 365 * 8) {
      long dd = hours / 24 % 365;
      return dd == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dd + "d";
    }
    return hours / 24 / 365 + "y";
  }
}
