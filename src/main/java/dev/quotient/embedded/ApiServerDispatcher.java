package dev.quotient.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quotient.pod.StrategicMergePatch;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.stream.Collectors;

/**
 * fabric8's CRUD dispatcher, answering as a real API server where the mock does not, so that
 * kubectl works against it:
 *
 * <ul>
 *   <li>discovery and OpenAPI v3 ({@link ApiCatalog});
 *   <li>the Table view of {@code kubectl get} ({@link TableView});
 *   <li>field selectors on lists ({@link FieldSelector}; the mock answers them with nothing);
 *   <li>a JSON patch that does not apply (a failed "test", a missing path) is a 422 at once; the
 *       mock lets the exception escape and drops the connection, which the client retries for a
 *       minute.
 * </ul>
 */
public class ApiServerDispatcher extends KubernetesMixedDispatcher {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ApiCatalog catalog = ApiCatalog.embedded();

  public ApiServerDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses) {
    super(responses);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String full = request.getPath();
    int q = full.indexOf('?');
    String path = q < 0 ? full : full.substring(0, q);
    Map<String, String> query = q < 0 ? Map.of() : query(full.substring(q + 1));
    boolean get = "GET".equals(request.getMethod());
    boolean watch = "true".equals(query.get("watch")) || "1".equals(query.get("watch"));
    if (get) {
      Optional<String> self = describeItself(path);
      if (self.isPresent()) {
        return json(200, self.get());
      }
    }
    String contentType = request.getHeader("Content-Type");
    if ("PATCH".equals(request.getMethod())
        && contentType != null
        && contentType.startsWith("application/strategic-merge-patch+json")) {
      return strategicMergePatch(request, path);
    }
    RecordedRequest stored = request;
    FieldSelector fields = null;
    if (get && !watch && query.containsKey("fieldSelector")) {
      fields = FieldSelector.parse(query.get("fieldSelector"));
      Map<String, String> rest = new LinkedHashMap<>(query);
      rest.remove("fieldSelector");
      stored =
          new RecordedRequest(
              request.getHttpVersion(),
              request.method(),
              rest.isEmpty() ? path : path + "?" + encode(rest),
              request.getHeaders(),
              request.getBody());
    }
    MockResponse response;
    try {
      response = super.dispatch(stored);
    } catch (io.fabric8.zjsonpatch.JsonPatchException e) {
      return status(422, "Invalid", "the patch does not apply: " + e.getMessage());
    }
    if (!get || watch || response.code() != 200) {
      return response;
    }
    Optional<ApiResource> resource = resourceOf(path);
    if (resource.isEmpty()) {
      return response;
    }
    boolean table = TableView.wanted(request.getHeader("Accept"));
    JsonNode body;
    try {
      body = JSON.readTree(response.getBody().getBytes());
    } catch (IOException e) {
      return response;
    }
    if (body.has("items")) {
      // The mock calls every list "v1 List"; Go clients decode into the typed list (EventList)
      // and drop a list of another kind without a word.
      ObjectNode list = (ObjectNode) body;
      list.put("kind", resource.get().kind() + "List");
      list.put("apiVersion", resource.get().groupVersion());
      if (fields != null) {
        filter(list, fields);
      }
    } else if (!table) {
      return response;
    }
    String out = table ? TableView.of(resource.get(), body, Instant.now()) : body.toString();
    return json(200, out);
  }

  /**
   * A strategic merge patch (what {@code kubectl apply} sends for the core kinds), which the mock
   * refuses (415): read, patch with the merge keys Quotient's pod patches use, write back. The
   * list-order directives kubectl adds ({@code $setElementOrder/...}) are dropped.
   */
  private MockResponse strategicMergePatch(RecordedRequest request, String path) {
    MockResponse current =
        super.dispatch(
            new RecordedRequest(
                request.getHttpVersion(),
                HttpMethod.GET,
                path,
                Headers.builder().add("Accept", "application/json").build(),
                new Buffer()));
    if (current.code() != 200) {
      return current;
    }
    JsonNode patched;
    try {
      JsonNode patch = withoutOrderDirectives(JSON.readTree(request.getBody().getBytes()));
      patched = StrategicMergePatch.apply(JSON.readTree(current.getBody().getBytes()), patch);
    } catch (IOException | IllegalArgumentException e) {
      return status(
          400, "BadRequest", "the strategic merge patch does not apply: " + e.getMessage());
    }
    return super.dispatch(
        new RecordedRequest(
            request.getHttpVersion(),
            HttpMethod.PUT,
            path,
            Headers.builder().add("Content-Type", "application/json").build(),
            new Buffer(patched.toString().getBytes(StandardCharsets.UTF_8))));
  }

  private static JsonNode withoutOrderDirectives(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object
          .properties()
          .removeIf(
              e ->
                  e.getKey().startsWith("$setElementOrder/")
                      || e.getKey().startsWith("$retainKeys")
                      || e.getKey().startsWith("$deleteFromPrimitiveList/"));
      object.forEach(ApiServerDispatcher::withoutOrderDirectives);
    } else if (node instanceof ArrayNode array) {
      array.forEach(ApiServerDispatcher::withoutOrderDirectives);
    }
    return node;
  }

  /** Discovery and OpenAPI documents, for the paths that ask for them. */
  private Optional<String> describeItself(String path) {
    if (path.equals("/api")) {
      return Optional.of(catalog.coreVersions());
    }
    if (path.equals("/apis")) {
      return Optional.of(catalog.groupList());
    }
    if (path.equals("/api/v1")) {
      return catalog.resourceList("v1");
    }
    if (path.equals("/openapi/v3")) {
      return Optional.of(catalog.openApiIndex());
    }
    if (path.equals("/openapi/v3/api/v1")) {
      return catalog.openApi("v1");
    }
    String[] parts = path.split("/");
    // "", "apis", group[, version]
    if (parts.length == 3 && parts[1].equals("apis")) {
      return catalog.group(parts[2]);
    }
    if (parts.length == 4 && parts[1].equals("apis")) {
      return catalog.resourceList(parts[2] + "/" + parts[3]);
    }
    if (parts.length == 6 && parts[1].equals("openapi") && parts[3].equals("apis")) {
      return catalog.openApi(parts[4] + "/" + parts[5]);
    }
    return Optional.empty();
  }

  /** The resource a collection or object path names (not a subresource). */
  private Optional<ApiResource> resourceOf(String path) {
    String[] parts = path.substring(1).split("/");
    String groupVersion;
    int rest;
    if (parts.length >= 3 && parts[0].equals("api")) {
      groupVersion = parts[1];
      rest = 2;
    } else if (parts.length >= 4 && parts[0].equals("apis")) {
      groupVersion = parts[1] + "/" + parts[2];
      rest = 3;
    } else {
      return Optional.empty();
    }
    List<String> tail = List.of(parts).subList(rest, parts.length);
    if (tail.size() >= 3 && tail.get(0).equals("namespaces")) {
      tail = tail.subList(2, tail.size());
    }
    if (tail.isEmpty() || tail.size() > 2) {
      return Optional.empty();
    }
    return catalog.find(groupVersion, tail.get(0));
  }

  private static void filter(ObjectNode list, FieldSelector fields) {
    ArrayNode kept = JSON.createArrayNode();
    for (JsonNode item : list.get("items")) {
      if (fields.matches(item)) {
        kept.add(item);
      }
    }
    list.set("items", kept);
  }

  private static Map<String, String> query(String query) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static String encode(Map<String, String> query) {
    return query.entrySet().stream()
        .map(
            e ->
                java.net.URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + java.net.URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(body);
  }

  /** A Status answer, as the API server writes one. */
  public static MockResponse status(int code, String reason, String message) {
    return json(
        code,
        Serialization.asJson(
            new StatusBuilder()
                .withStatus("Failure")
                .withCode(code)
                .withReason(reason)
                .withMessage(message)
                .build()));
  }
}
