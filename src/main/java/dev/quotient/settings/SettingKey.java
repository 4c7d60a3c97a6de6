package dev.quotient.settings;

/**
 * The one table of settings: key in the ConfigMap (and in the chart's values under {@code
 * settings:}), default, and what it does. README, chart and code all follow it.
 */
public enum SettingKey {
  CPU_OVERCOMMIT("cpuOvercommit", "10", "CPU request = CPU limit / this ratio (CoCalc's cpu_oc)."),
  MEMORY_OVERCOMMIT(
      "memoryOvercommit", "5", "Memory request = memory limit / this ratio (CoCalc's mem_oc)."),
  MIN_CPU_REQUEST(
      "minCpuRequest", "10m", "Floor for derived CPU requests (never above the limit)."),
  MIN_MEMORY_REQUEST(
      "minMemoryRequest", "32Mi", "Floor for derived memory requests (never above the limit)."),
  DEFAULT_CPU("defaultQuota.cpu", "1", "CPU limit of a project without licenses."),
  DEFAULT_MEMORY("defaultQuota.memory", "1Gi", "Memory limit of a project without licenses."),
  DEFAULT_EPHEMERAL(
      "defaultQuota.ephemeralStorage",
      "",
      "Ephemeral-storage limit of every project (empty: none)."),
  DEFAULT_IDLE(
      "defaultQuota.idleTimeout",
      "30m",
      "Idle timeout of a project without licenses (empty: never)."),
  DEFAULT_MAX_DURATION(
      "defaultQuota.maxDuration",
      "",
      "Hard run-time limit of a project without licenses (empty: none)."),
  DEFAULT_ALWAYS_RUNNING("defaultQuota.alwaysRunning", "false", "Keep every project running."),
  MAX_CPU("maxUpgrades.cpu", "", "Cap on the summed CPU of a project's licenses (empty: no cap)."),
  MAX_MEMORY(
      "maxUpgrades.memory",
      "",
      "Cap on the summed memory of a project's licenses (empty: no cap)."),
  MAX_GPU("maxUpgrades.gpu", "", "Cap on the summed GPUs of a project's licenses (empty: no cap)."),
  GPU_RESOURCE(
      "gpuResource",
      "nvidia.com/gpu",
      "Extended resource name of a GPU when a license does not say."),
  CLUSTER_QUOTA_ENABLED(
      "clusterQuota.enabled", "true", "Enforce cluster-wide quotas on running projects."),
  CLUSTER_QUOTA_CPU(
      "clusterQuota.cpu",
      "",
      "Cluster-wide cap on CPU requests (empty: 80% of project nodes' allocatable)."),
  CLUSTER_QUOTA_MEMORY(
      "clusterQuota.memory",
      "",
      "Cluster-wide cap on memory requests (empty: 75% of project nodes' allocatable)."),
  CLUSTER_QUOTA_GPU(
      "clusterQuota.gpu", "", "Cluster-wide cap on GPUs (empty: all GPUs of the nodes)."),
  CLUSTER_QUOTA_PROJECTS(
      "clusterQuota.runningProjects", "", "Cluster-wide cap on running projects (empty: no cap)."),
  QUEUE_BACKFILL_FOR(
      "queue.backfillFor",
      "5m",
      "Waiting projects behind may start first while the oldest does not fit, until it has waited this long."),
  IDLE_CHECK_INTERVAL(
      "idleCheckInterval", "1m", "How often idle and duration timers are checked at the latest."),
  PENDING_TIMEOUT(
      "pendingTimeout",
      "10m",
      "A pod still not running after this long is deleted and its lease released."),
  RESTART_ON_LICENSE_CHANGE(
      "restartOnLicenseChange",
      "true",
      "Restart a running project at once when its spec.licenses changes."),
  NODE_GROUP_KEY(
      "nodeGroupKey",
      "quotient.dev/dedicated-node-group",
      "Label and taint key marking DedicatedNodeGroup members (CoCalc: cocalc-dedicated_vm)."),
  DEFAULT_IMAGE(
      "pod.defaultImage",
      "quay.io/jupyter/base-notebook:latest",
      "Image of projects that name none (or a disallowed one)."),
  ALLOWED_IMAGES(
      "pod.allowedImages",
      "",
      "Comma-separated images projects may ask for; the default image is always allowed."),
  IMAGE_PULL_POLICY(
      "pod.imagePullPolicy", "IfNotPresent", "imagePullPolicy of project containers."),
  HOME_CLAIM(
      "pod.homeClaimName",
      "",
      "PersistentVolumeClaim holding all homes (empty: an emptyDir, for trials)."),
  HOME_SUB_PATH(
      "pod.homeSubPath", "projects/{projectId}", "Sub-path of a project's home in the claim."),
  HOME_MOUNT_PATH(
      "pod.homeMountPath", "/home/user", "Where the home is mounted in the project container."),
  UID("pod.uid", "2001", "User id projects run as (never 0)."),
  GID("pod.gid", "2001", "Group id projects run as (and fsGroup)."),
  PROJECT_NODE_SELECTOR(
      "pod.projectNodeSelector",
      "",
      "Comma-separated key=value labels of the general project nodes."),
  PROJECT_TOLERATIONS(
      "pod.projectTolerations",
      "",
      "Tolerations for project nodes, as key=value:Effect or key:Effect, comma-separated."),
  TOLERATE_GPU_TAINT(
      "pod.tolerateGpuTaint",
      "true",
      "A pod requesting a GPU resource R tolerates the taint R:NoSchedule (as Kubernetes' ExtendedResourceToleration does)."),
  DCGM_EXPORTER_URL(
      "gpuActivity.dcgmExporter.url",
      "",
      "Prometheus endpoint(s) of NVIDIA dcgm-exporter, comma-separated (an http URL whose host resolves to several addresses, e.g. a headless Service, is scraped at each); empty: GPU activity only from the annotation."),
  DCGM_EXPORTER_INTERVAL(
      "gpuActivity.dcgmExporter.interval", "30s", "How often the dcgm-exporter is scraped."),
  DCGM_BUSY_ABOVE(
      "gpuActivity.dcgmExporter.busyAbovePercent",
      "5",
      "A GPU whose DCGM_FI_DEV_GPU_UTIL is above this (percent) counts as activity of its pod's project."),
  ALLOW_PRIVILEGED_PATCHES(
      "allowPrivilegedPatches",
      "false",
      "Let license pod patches break the restricted Pod Security profile.");

  private final String key;
  private final String defaultValue;
  private final String description;

  SettingKey(String key, String defaultValue, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  public String key() {
    return key;
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }
}
