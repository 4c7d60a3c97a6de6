package dev.quotient.quota;

import dev.quotient.api.License;
import dev.quotient.api.QuotaSpec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Everything the quota engine looks at for one project start.
 *
 * @param namespaceLabels labels of the project's namespace (for licenses' allowedNamespaces)
 * @param licenses the License objects that exist, by name (a superset is fine)
 * @param runSlotFree whether a license still has a free run slot for this project
 */
public record QuotaInput(
    String namespace,
    Map<String, String> namespaceLabels,
    List<String> requestedLicenses,
    Map<String, License> licenses,
    QuotaSpec adminQuota,
    Instant now,
    Predicate<String> runSlotFree) {

  public QuotaInput {
    namespaceLabels = namespaceLabels == null ? Map.of() : namespaceLabels;
    requestedLicenses = requestedLicenses == null ? List.of() : requestedLicenses;
  }
}
