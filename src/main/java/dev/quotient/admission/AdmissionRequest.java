package dev.quotient.admission;

import dev.quotient.quota.Resources;
import java.util.List;

/**
 * A project asking to start: what its pod will request and hold.
 *
 * @param podName the pod that will hold the lease
 * @param limits the pod's limits (checked against limits.* namespace quotas)
 * @param licenses the licenses whose run slots it takes
 * @param nodeGroups candidate groups in priority order (empty = project nodes)
 * @param gpuResource the extended resource its GPUs are (null without GPUs)
 * @param ephemeral an ephemeral run: it takes an ephemeral run slot instead of a running-project
 *     one
 * @param preemptible the project may borrow idle team share of a node group (spec.preemptible or a
 *     license's preemptible)
 */
public record AdmissionRequest(
    ProjectKey project,
    String podName,
    Resources requests,
    Resources limits,
    List<String> licenses,
    List<String> nodeGroups,
    String gpuResource,
    boolean ephemeral,
    boolean preemptible) {
  public AdmissionRequest {
    licenses = List.copyOf(licenses);
    nodeGroups = List.copyOf(nodeGroups);
  }

  /** A persistent project's request (a workspace) that may not borrow team share. */
  public AdmissionRequest(
      ProjectKey project,
      String podName,
      Resources requests,
      Resources limits,
      List<String> licenses,
      List<String> nodeGroups,
      String gpuResource) {
    this(project, podName, requests, limits, licenses, nodeGroups, gpuResource, false, false);
  }
}
