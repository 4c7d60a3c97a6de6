package dev.quotient.admission;

import dev.quotient.quota.Resources;
import java.util.List;

/**
 * A project asking to start.
 *
 * @param limits the pod's limits (checked against limits.* namespace quotas)
 * @param nodeGroups candidate groups in priority order (empty = project nodes)
 */
public record AdmissionRequest(
    ProjectKey project,
    Resources requests,
    Resources limits,
    List<String> nodeGroups,
    String gpuResource) {
  public AdmissionRequest {
    nodeGroups = List.copyOf(nodeGroups);
  }
}
