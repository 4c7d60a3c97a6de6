package dev.quotient.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quotient.embedded.ApiResource.PrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the embedded API server says about itself, so that kubectl works against it: the legacy
 * discovery documents ({@code /api}, {@code /apis}, one APIResourceList per group version) and
 * OpenAPI v3 ({@code /openapi/v3} and one document per group version). It lists the core types the
 * embedded run holds and Quotient's three CRDs, with the CRDs' schemas, short names, categories and
 * printer columns. The CRUD mock itself serves none of this.
 */
public final class ApiCatalog {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OBJECT_META_DESCRIPTION =
      "Standard object's metadata. More info:"
          + " https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

  private final List<ApiResource> resources;

  public ApiCatalog(List<ApiResource> resources) {
    this.resources = List.copyOf(resources);
  }

  /** The core types of the embedded run and the CRDs of {@link MockApiServer#CRDS}. */
  public static ApiCatalog embedded() {
    List<ApiResource> all = new ArrayList<>(coreResources());
    for (String file : MockApiServer.CRDS) {
      all.addAll(fromCrd(loadCrd(file)));
    }
    return new ApiCatalog(all);
  }

  public List<ApiResource> resources() {
    return resources;
  }

  /** The resource served under this group version by this plural name. */
  public Optional<ApiResource> find(String groupVersion, String plural) {
    return resources.stream()
        .filter(r -> r.groupVersion().equals(groupVersion) && r.plural().equals(plural))
        .findFirst();
  }

  static CustomResourceDefinition loadCrd(String file) {
    try (InputStream in = ApiCatalog.class.getResourceAsStream("/META-INF/fabric8/" + file)) {
      if (in == null) {
        throw new IllegalStateException(
            "CRD " + file + " is not on the classpath; build with 'mvn package'");
      }
      return Serialization.unmarshal(in, CustomResourceDefinition.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<ApiResource> fromCrd(CustomResourceDefinition crd) {
    var spec = crd.getSpec();
    List<ApiResource> out = new ArrayList<>();
    for (CustomResourceDefinitionVersion v : spec.getVersions()) {
      if (!Boolean.TRUE.equals(v.getServed())) {
        continue;
      }
      List<PrinterColumn> columns = new ArrayList<>();
      if (v.getAdditionalPrinterColumns() != null) {
        for (CustomResourceColumnDefinition c : v.getAdditionalPrinterColumns()) {
          columns.add(
              new PrinterColumn(
                  c.getName(),
                  c.getType(),
                  c.getJsonPath(),
                  c.getPriority() == null ? 0 : c.getPriority(),
                  c.getDescription() == null ? "" : c.getDescription()));
        }
      }
      if (columns.isEmpty()) {
        columns.add(age());
      }
      JsonNode schema = JSON.valueToTree(v.getSchema().getOpenAPIV3Schema());
      out.add(
          new ApiResource(
              spec.getGroup(),
              v.getName(),
              spec.getNames().getPlural(),
              spec.getNames().getSingular(),
              spec.getNames().getKind(),
              "Namespaced".equals(spec.getScope()),
              orEmpty(spec.getNames().getShortNames()),
              orEmpty(spec.getNames().getCategories()),
              v.getSubresources() != null && v.getSubresources().getStatus() != null,
              schema,
              columns));
    }
    return out;
  }

  /**
   * The core and built-in types the embedded run stores, with the columns a real server's Table
   * view has (fewer of them) and a short schema: kubectl needs one per kind it applies or explains,
   * and the mock enforces no schema anyway.
   */
  static List<ApiResource> coreResources() {
    PrinterColumn status = column("Status", "string", ".status.phase", 0);
    return List.of(
        core("", "namespaces", "namespace", "Namespace", false, List.of("ns"), List.of()),
        core(
            "",
            "nodes",
            "node",
            "Node",
            false,
            List.of("no"),
            List.of(column("Version", "string", ".status.nodeInfo.kubeletVersion", 0))),
        core(
            "",
            "pods",
            "pod",
            "Pod",
            true,
            List.of("po"),
            List.of(status, column("Node", "string", ".spec.nodeName", 1))),
        core("", "configmaps", "configmap", "ConfigMap", true, List.of("cm"), List.of()),
        core(
            "",
            "events",
            "event",
            "Event",
            true,
            List.of("ev"),
            List.of(
                column("Type", "string", ".type", 0),
                column("Reason", "string", ".reason", 0),
                column("Object", "string", ".involvedObject.name", 0),
                column("Message", "string", ".message", 0))),
        core(
            "",
            "resourcequotas",
            "resourcequota",
            "ResourceQuota",
            true,
            List.of("quota"),
            List.of()),
        core("coordination.k8s.io", "leases", "lease", "Lease", true, List.of(), List.of()),
        core(
            "apiextensions.k8s.io",
            "customresourcedefinitions",
            "customresourcedefinition",
            "CustomResourceDefinition",
            false,
            List.of("crd", "crds"),
            List.of()));
  }

  private static ApiResource core(
      String group,
      String plural,
      String singular,
      String kind,
      boolean namespaced,
      List<String> shortNames,
      List<PrinterColumn> columns) {
    ObjectNode schema = JSON.createObjectNode();
    schema.put("type", "object");
    schema.put("description", kind + " (the embedded run stores it as given; no schema applies).");
    schema.put("x-kubernetes-preserve-unknown-fields", true);
    List<PrinterColumn> withAge = new ArrayList<>(columns);
    withAge.add(age());
    List<String> categories = kind.equals("Pod") ? List.of("all") : List.of();
    return new ApiResource(
        group,
        "v1",
        plural,
        singular,
        kind,
        namespaced,
        shortNames,
        categories,
        List.of("Namespace", "Node", "Pod", "ResourceQuota").contains(kind),
        schema,
        withAge);
  }

  private static PrinterColumn column(String name, String type, String path, int priority) {
    return new PrinterColumn(name, type, path, priority, "");
  }

  private static PrinterColumn age() {
    return column("Age", "date", ".metadata.creationTimestamp", 0);
  }

  private static List<String> orEmpty(List<String> list) {
    return list == null ? List.of() : list;
  }

  // --- discovery ---------------------------------------------------------------------------

  /** {@code GET /api}: the core group's versions. */
  public String coreVersions() {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("kind", "APIVersions");
    doc.putArray("versions").add("v1");
    doc.putArray("serverAddressByClientCIDRs");
    return doc.toString();
  }

  /** {@code GET /apis}: every named group, one version each. */
  public String groupList() {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("kind", "APIGroupList");
    doc.put("apiVersion", "v1");
    ArrayNode groups = doc.putArray("groups");
    for (Map.Entry<String, List<String>> g : versionsByGroup().entrySet()) {
      if (g.getKey().isEmpty()) {
        continue;
      }
      ObjectNode group = groups.addObject();
      group.put("name", g.getKey());
      ArrayNode versions = group.putArray("versions");
      for (String v : g.getValue()) {
        versions.addObject().put("groupVersion", g.getKey() + "/" + v).put("version", v);
      }
      group
          .putObject("preferredVersion")
          .put("groupVersion", g.getKey() + "/" + g.getValue().get(0))
          .put("version", g.getValue().get(0));
    }
    return doc.toString();
  }

  /** {@code GET /apis/<group>}: one group. */
  public Optional<String> group(String name) {
    List<String> versions = versionsByGroup().get(name);
    if (versions == null || name.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode group = JSON.createObjectNode();
    group.put("kind", "APIGroup");
    group.put("apiVersion", "v1");
    group.put("name", name);
    ArrayNode vs = group.putArray("versions");
    for (String v : versions) {
      vs.addObject().put("groupVersion", name + "/" + v).put("version", v);
    }
    group
        .putObject("preferredVersion")
        .put("groupVersion", name + "/" + versions.get(0))
        .put("version", versions.get(0));
    return Optional.of(group.toString());
  }

  /** {@code GET /api/v1} or {@code /apis/<group>/<version>}: the APIResourceList. */
  public Optional<String> resourceList(String groupVersion) {
    List<ApiResource> inGroup =
        resources.stream().filter(r -> r.groupVersion().equals(groupVersion)).toList();
    if (inGroup.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode doc = JSON.createObjectNode();
    doc.put("kind", "APIResourceList");
    doc.put("apiVersion", "v1");
    doc.put("groupVersion", groupVersion);
    ArrayNode list = doc.putArray("resources");
    for (ApiResource r : inGroup) {
      ObjectNode res = list.addObject();
      res.put("name", r.plural());
      res.put("singularName", r.singular());
      res.put("namespaced", r.namespaced());
      res.put("kind", r.kind());
      strings(res.putArray("verbs"), ApiResource.VERBS);
      if (!r.shortNames().isEmpty()) {
        strings(res.putArray("shortNames"), r.shortNames());
      }
      if (!r.categories().isEmpty()) {
        strings(res.putArray("categories"), r.categories());
      }
      if (r.hasStatus()) {
        ObjectNode status = list.addObject();
        status.put("name", r.plural() + "/status");
        status.put("singularName", "");
        status.put("namespaced", r.namespaced());
        status.put("kind", r.kind());
        strings(status.putArray("verbs"), List.of("get", "patch", "update"));
      }
    }
    return Optional.of(doc.toString());
  }

  private Map<String, List<String>> versionsByGroup() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (ApiResource r : resources) {
      List<String> versions = out.computeIfAbsent(r.group(), g -> new ArrayList<>());
      if (!versions.contains(r.version())) {
        versions.add(r.version());
      }
    }
    return out;
  }

  // --- OpenAPI v3 ----------------------------------------------------------------------------

  /**
   * {@code GET /openapi/v3}: where each group version's document is; the hash changes with the
   * document, as on a real server (clients cache by it).
   */
  public String openApiIndex() {
    ObjectNode doc = JSON.createObjectNode();
    ObjectNode paths = doc.putObject("paths");
    for (ApiResource r : resources) {
      String key = r.groupVersionPath().substring(1);
      if (!paths.has(key)) {
        String gvDoc = openApi(r.groupVersion()).orElseThrow();
        paths
            .putObject(key)
            .put("serverRelativeURL", "/openapi/v3/" + key + "?hash=" + hash(gvDoc));
      }
    }
    return doc.toString();
  }

  /**
   * {@code GET /openapi/v3/api/v1} or {@code /openapi/v3/apis/<group>/<version>}: one schema per
   * kind (marked with its group, version and kind, which {@code kubectl explain} looks for) and
   * each resource's PATCH operation: it lists the patch types the mock takes (no strategic merge,
   * so kubectl computes those patches from its own types, as for CRDs) and the {@code
   * fieldValidation} parameter (so kubectl leaves validation to the server instead of asking for
   * OpenAPI v2).
   */
  public Optional<String> openApi(String groupVersion) {
    List<ApiResource> inGroup =
        resources.stream().filter(r -> r.groupVersion().equals(groupVersion)).toList();
    if (inGroup.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode doc = JSON.createObjectNode();
    doc.put("openapi", "3.0.0");
    doc.putObject("info").put("title", "Quotient embedded API server").put("version", "v1");
    ObjectNode paths = doc.putObject("paths");
    ObjectNode schemas = doc.putObject("components").putObject("schemas");
    for (ApiResource r : inGroup) {
      String schemaName = schemaName(r);
      ObjectNode schema = withTypeMeta(r);
      ArrayNode gvks = schema.putArray("x-kubernetes-group-version-kind");
      gvk(gvks.addObject(), r);
      schemas.set(schemaName, schema);

      String collection =
          r.groupVersionPath() + (r.namespaced() ? "/namespaces/{namespace}/" : "/") + r.plural();
      ObjectNode item = paths.putObject(collection + "/{name}");
      ObjectNode get = item.putObject("get");
      get.put("operationId", "read" + r.kind());
      gvk(get.putObject("x-kubernetes-group-version-kind"), r);
      get.put("x-kubernetes-action", "get");
      response(get, schemaName);
      ObjectNode patch = item.putObject("patch");
      patch.put("operationId", "patch" + r.kind());
      gvk(patch.putObject("x-kubernetes-group-version-kind"), r);
      patch.put("x-kubernetes-action", "patch");
      ArrayNode params = patch.putArray("parameters");
      ObjectNode fieldValidation = params.addObject();
      fieldValidation.put("name", "fieldValidation");
      fieldValidation.put("in", "query");
      fieldValidation.put("description", "Strict, Warn or Ignore (the mock ignores it).");
      fieldValidation.putObject("schema").put("type", "string");
      ObjectNode content = patch.putObject("requestBody").putObject("content");
      for (String type :
          List.of(
              "application/json-patch+json",
              "application/merge-patch+json",
              "application/apply-patch+yaml")) {
        content.putObject(type).putObject("schema").put("type", "object");
      }
      response(patch, schemaName);
    }
    return Optional.of(doc.toString());
  }

  private static ObjectNode withTypeMeta(ApiResource r) {
    ObjectNode schema = r.schema().deepCopy();
    ObjectNode properties =
        schema.has("properties")
            ? (ObjectNode) schema.get("properties")
            : schema.putObject("properties");
    ObjectNode ordered = JSON.createObjectNode();
    ordered
        .putObject("apiVersion")
        .put("type", "string")
        .put(
            "description",
            "APIVersion defines the versioned schema of this representation of an object.");
    ordered
        .putObject("kind")
        .put("type", "string")
        .put(
            "description",
            "Kind is a string value representing the REST resource this object represents.");
    ordered.putObject("metadata").put("type", "object").put("description", OBJECT_META_DESCRIPTION);
    ordered.setAll(properties);
    schema.set("properties", ordered);
    if (!schema.has("type")) {
      schema.put("type", "object");
    }
    return schema;
  }

  private static void response(ObjectNode operation, String schemaName) {
    operation
        .putObject("responses")
        .putObject("200")
        .put("description", "OK")
        .putObject("content")
        .putObject("application/json")
        .putObject("schema")
        .put("$ref", "#/components/schemas/" + schemaName);
  }

  private static void gvk(ObjectNode node, ApiResource r) {
    node.put("group", r.group()).put("version", r.version()).put("kind", r.kind());
  }

  /** As a real server names them: the group reversed, then version and kind. */
  static String schemaName(ApiResource r) {
    String group = r.group().isEmpty() ? "io.k8s.api.core" : reverse(r.group());
    return group + "." + r.version() + "." + r.kind();
  }

  private static String reverse(String dotted) {
    List<String> parts = new ArrayList<>(List.of(dotted.split("\\.")));
    java.util.Collections.reverse(parts);
    return String.join(".", parts);
  }

  private static void strings(ArrayNode array, List<String> values) {
    values.forEach(array::add);
  }

  private static String hash(String doc) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(doc.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().withUpperCase().formatHex(digest, 0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
