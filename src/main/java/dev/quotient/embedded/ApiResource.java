package dev.quotient.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One resource type the embedded API server serves, as discovery, OpenAPI and the Table view
 * describe it.
 *
 * @param group "" for the core group
 * @param schema its OpenAPI v3 schema (the CRD's, or a short one for the core kinds)
 * @param columns the printer columns after Name, as a CRD's additionalPrinterColumns
 */
public record ApiResource(
    String group,
    String version,
    String plural,
    String singular,
    String kind,
    boolean namespaced,
    List<String> shortNames,
    List<String> categories,
    boolean hasStatus,
    JsonNode schema,
    List<PrinterColumn> columns) {

  /** What every resource of the embedded server accepts (it enforces nothing). */
  public static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  public String groupVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The path prefix of the group version, {@code /api/v1} or {@code /apis/g/v}. */
  public String groupVersionPath() {
    return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
  }

  /**
   * One column of the Table view.
   *
   * @param type integer, number, string, boolean or date (a date shows as an age)
   * @param priority 0 for the default view, more for {@code -o wide}
   */
  public record PrinterColumn(
      String name, String type, String jsonPath, int priority, String description) {}
}
