package dev.quotient.api;

/**
 * Labels and annotations the operator writes on project pods. They carry what a pod holds, so the
 * operator can rebuild its state from pods alone; only the operator may set them (the chart's
 * ValidatingAdmissionPolicy).
 */
public final class QuotientLabels {
  public static final String PREFIX = "quotient.dev/";
  public static final String APP_NAME = "app.kubernetes.io/name";
  public static final String APP_NAME_VALUE = "quotient-project";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "quotient";

  /** Label: the Project's name (or a hash when longer than a label value may be). */
  public static final String PROJECT = PREFIX + "project";

  public static final String PROJECT_ID = PREFIX + "project-id";

  /** Labels: the requests this pod holds as leases, in millicores, bytes and devices. */
  public static final String CPU_MILLIS = PREFIX + "cpu-millis";

  public static final String MEMORY_BYTES = PREFIX + "memory-bytes";
  public static final String GPU = PREFIX + "gpu";

  /** Labels: the pod's limits, which limits.cpu / limits.memory namespace quotas count. */
  public static final String CPU_LIMIT_MILLIS = PREFIX + "cpu-limit-millis";

  public static final String MEMORY_LIMIT_BYTES = PREFIX + "memory-limit-bytes";

  /** Label: the DedicatedNodeGroup the pod is placed on. */
  public static final String NODE_GROUP = PREFIX + "node-group";

  /**
   * Label on the pods of ephemeral runs ({@code Ephemeral}; absent on workspaces): they count
   * against clusterQuota.ephemeralProjects, not runningProjects, also when the ledger is rebuilt.
   */
  public static final String LIFETIME = PREFIX + "lifetime";

  /**
   * Label: the tag of the project container's image ({@code latest}, {@code 2026-11-30}), so an
   * admin finds the pods still on an old image with {@code kubectl get pods -l
   * quotient.dev/image-tag=<old>} (seed 002's {@code project_tag}).
   */
  public static final String IMAGE_TAG = PREFIX + "image-tag";

  /** Label: the team share of the node group the pod counts against (absent: no team). */
  public static final String TEAM = PREFIX + "team";

  /** Label "true": the pod holds borrowed team share (over-quota) and may be preempted. */
  public static final String BORROWED = PREFIX + "borrowed";

  /** Annotation: RFC 3339 time a borrowed pod was admitted (the youngest are reclaimed first). */
  public static final String BORROWED_SINCE = PREFIX + "borrowed-since";

  /** Annotation: comma-separated licenses whose run slots this pod holds. */
  public static final String LICENSES = PREFIX + "licenses";

  /** Annotation: the project's spec.licenses when the pod was created (to notice changes). */
  public static final String REQUESTED_LICENSES = PREFIX + "requested-licenses";

  /** Annotation on Projects: RFC 3339 time of the user's last activity (the idle clock). */
  public static final String LAST_ACTIVITY = PREFIX + "last-activity";

  /**
   * Annotation on Projects: RFC 3339 time its GPUs were last busy, set by a GPU-metrics agent (the
   * GPU idle clock).
   */
  public static final String GPU_LAST_ACTIVITY = PREFIX + "gpu-last-activity";

  /** Name of the project container inside the pod. */
  public static final String CONTAINER = "project";

  private QuotientLabels() {}
}
