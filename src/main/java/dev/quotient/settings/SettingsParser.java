package dev.quotient.settings;

import static dev.quotient.settings.SettingKey.*;

import dev.quotient.quota.Durations;
import dev.quotient.quota.InvalidQuantityException;
import dev.quotient.quota.Quantities;
import dev.quotient.quota.QuotaPolicy;
import dev.quotient.quota.Resources;
import dev.quotient.quota.Upgrade;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Parses the settings ConfigMap's data into {@link Settings}, reporting every problem at once. */
public final class SettingsParser {
  private static final Set<String> EFFECTS = Set.of("NoSchedule", "PreferNoSchedule", "NoExecute");
  private final Map<String, String> data;
  private final List<String> problems = new ArrayList<>();

  /** A ConfigMap key that may hold all settings as one nested YAML document (Helm-style values). */
  public static final String YAML_KEY = "settings.yaml";

  private SettingsParser(Map<String, String> data) {
    this.data = flatten(data == null ? Map.of() : data, problems);
  }

  /**
   * Settings may come as flat keys ({@code defaultQuota.cpu: "2"}), as one nested YAML document
   * under {@code settings.yaml}, or both (flat keys win), so a ConfigMap can be written either way
   * by hand, by GitOps or by Helm.
   */
  static Map<String, String> flatten(Map<String, String> data, List<String> problems) {
    if (!data.containsKey(YAML_KEY)) {
      return data;
    }
    Map<String, String> out = new LinkedHashMap<>();
    try {
      Object tree =
          new com.fasterxml.jackson.databind.ObjectMapper(
                  new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
              .readValue(data.get(YAML_KEY), Object.class);
      if (tree instanceof Map<?, ?> map) {
        flattenInto("", map, out);
      } else if (tree != null) {
        problems.add(YAML_KEY + " must be a YAML mapping of settings");
      }
    } catch (java.io.IOException e) {
      problems.add(
          YAML_KEY + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    data.forEach(
        (k, v) -> {
          if (!k.equals(YAML_KEY)) {
            out.put(k, v);
          }
        });
    return out;
  }

  /**
   * A list item: a plain value, or a toleration {key, operator, value, effect} as key=value:Effect.
   */
  private static String listItem(Object item) {
    if (item instanceof Map<?, ?> t) {
      Object key = t.get("key");
      Object value = t.get("value");
      Object effect = t.get("effect");
      boolean exists = "Exists".equals(t.get("operator")) || value == null;
      return key + (exists ? "" : "=" + value) + (effect == null ? "" : ":" + effect);
    }
    return String.valueOf(item);
  }

  private static void flattenInto(String prefix, Map<?, ?> map, Map<String, String> out) {
    Set<String> known =
        Arrays.stream(SettingKey.values()).map(SettingKey::key).collect(Collectors.toSet());
    map.forEach(
        (k, v) -> {
          String key = prefix + k;
          if (v instanceof Map<?, ?> nested && known.contains(key)) {
            // a label map such as pod.projectNodeSelector: {quotient.dev/project-node: "true"}
            out.put(
                key,
                String.join(
                    ",",
                    nested.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
          } else if (v instanceof Map<?, ?> nested) {
            flattenInto(key + ".", nested, out);
          } else if (v instanceof List<?> list) {
            out.put(key, String.join(",", list.stream().map(SettingsParser::listItem).toList()));
          } else {
            out.put(key, v == null ? "" : String.valueOf(v));
          }
        });
  }

  /** Throws {@link InvalidSettingsException} listing each unusable key and why. */
  public static Settings parse(Map<String, String> data) {
    return new SettingsParser(data).parse();
  }

  private Settings parse() {
    Set<String> known =
        Arrays.stream(SettingKey.values()).map(SettingKey::key).collect(Collectors.toSet());
    for (String key : data.keySet()) {
      if (!known.contains(key)) {
        problems.add("unknown setting '" + key + "'" + suggestion(key, known));
      }
    }
    double cpuOc = ratio(CPU_OVERCOMMIT);
    double memOc = ratio(MEMORY_OVERCOMMIT);
    String gpuResource = string(GPU_RESOURCE);
    Upgrade defaults =
        new Upgrade(
            get(DEFAULT_CPU, v -> Quantities.cpuMillis(DEFAULT_CPU.key(), v)),
            get(DEFAULT_MEMORY, v -> Quantities.bytes(DEFAULT_MEMORY.key(), v)),
            get(DEFAULT_EPHEMERAL, v -> Quantities.bytes(DEFAULT_EPHEMERAL.key(), v)),
            null,
            gpuResource,
            Map.of(),
            List.of(),
            bool(DEFAULT_ALWAYS_RUNNING),
            get(DEFAULT_IDLE, v -> positive(DEFAULT_IDLE, Durations.parse(DEFAULT_IDLE.key(), v))),
            get(
                DEFAULT_MAX_DURATION,
                v ->
                    positive(DEFAULT_MAX_DURATION, Durations.parse(DEFAULT_MAX_DURATION.key(), v))),
            List.of(),
            null,
            // the default quota makes nobody preemptible: borrowing is a license's or the user's
            null);
    Resources cap =
        new Resources(
            orMax(get(MAX_CPU, v -> Quantities.cpuMillis(MAX_CPU.key(), v))),
            orMax(get(MAX_MEMORY, v -> Quantities.bytes(MAX_MEMORY.key(), v))),
            orMax(get(MAX_GPU, v -> Quantities.count(MAX_GPU.key(), v))));
    Long minCpu = get(MIN_CPU_REQUEST, v -> Quantities.cpuMillis(MIN_CPU_REQUEST.key(), v));
    Long minMem = get(MIN_MEMORY_REQUEST, v -> Quantities.bytes(MIN_MEMORY_REQUEST.key(), v));
    ClusterQuotaSettings cluster =
        new ClusterQuotaSettings(
            bool(CLUSTER_QUOTA_ENABLED),
            get(CLUSTER_QUOTA_CPU, v -> Quantities.cpuMillis(CLUSTER_QUOTA_CPU.key(), v)),
            get(CLUSTER_QUOTA_MEMORY, v -> Quantities.bytes(CLUSTER_QUOTA_MEMORY.key(), v)),
            get(CLUSTER_QUOTA_GPU, v -> Quantities.count(CLUSTER_QUOTA_GPU.key(), v)),
            get(CLUSTER_QUOTA_PROJECTS, v -> Quantities.count(CLUSTER_QUOTA_PROJECTS.key(), v)),
            get(CLUSTER_QUOTA_EPHEMERAL, v -> Quantities.count(CLUSTER_QUOTA_EPHEMERAL.key(), v)));
    long uid = id(UID);
    long gid = id(GID);
    String nodeGroupKey = string(NODE_GROUP_KEY);
    if (nodeGroupKey == null
        || !nodeGroupKey.matches("^([a-z0-9.-]+/)?[A-Za-z0-9][-A-Za-z0-9_.]*$")) {
      problems.add(NODE_GROUP_KEY.key() + " '" + nodeGroupKey + "' is not a valid label key");
    }
    String image = string(DEFAULT_IMAGE);
    if (image == null) {
      problems.add(DEFAULT_IMAGE.key() + " must name an image");
    }
    PodSettings pod =
        new PodSettings(
            image,
            list(ALLOWED_IMAGES),
            string(IMAGE_PULL_POLICY),
            string(HOME_CLAIM),
            string(HOME_SUB_PATH),
            string(HOME_MOUNT_PATH),
            uid,
            gid,
            labels(PROJECT_NODE_SELECTOR),
            tolerations(PROJECT_TOLERATIONS),
            bool(TOLERATE_GPU_TAINT),
            nodeGroupKey,
            bool(ALLOW_PRIVILEGED_PATCHES));
    if (pod.imagePullPolicy() == null
        || !Set.of("Always", "IfNotPresent", "Never").contains(pod.imagePullPolicy())) {
      problems.add(IMAGE_PULL_POLICY.key() + " must be Always, IfNotPresent or Never");
    }
    if (pod.homeMountPath() == null || !pod.homeMountPath().startsWith("/")) {
      problems.add(
          HOME_MOUNT_PATH.key() + " must be an absolute path, got '" + pod.homeMountPath() + "'");
    }
    Duration idleCheck =
        get(
            IDLE_CHECK_INTERVAL,
            v -> positive(IDLE_CHECK_INTERVAL, Durations.parse(IDLE_CHECK_INTERVAL.key(), v)));
    Duration pending =
        get(
            PENDING_TIMEOUT,
            v -> positive(PENDING_TIMEOUT, Durations.parse(PENDING_TIMEOUT.key(), v)));
    Duration backfill = get(QUEUE_BACKFILL_FOR, v -> Durations.parse(QUEUE_BACKFILL_FOR.key(), v));
    boolean restart = bool(RESTART_ON_LICENSE_CHANGE);
    Duration scrapeEvery =
        get(
            DCGM_EXPORTER_INTERVAL,
            v ->
                positive(DCGM_EXPORTER_INTERVAL, Durations.parse(DCGM_EXPORTER_INTERVAL.key(), v)));
    if (raw(DCGM_EXPORTER_INTERVAL) == null) {
      problems.add(DCGM_EXPORTER_INTERVAL.key() + " must be a duration such as 30s");
    }
    GpuActivitySettings gpuActivity =
        new GpuActivitySettings(urls(DCGM_EXPORTER_URL), scrapeEvery, percent(DCGM_BUSY_ABOVE));
    Duration retention =
        get(
            EPHEMERAL_RETENTION,
            v -> positive(EPHEMERAL_RETENTION, Durations.parse(EPHEMERAL_RETENTION.key(), v)));
    PrepullSettings prepull =
        new PrepullSettings(
            bool(PREPULL_ENABLED), list(PREPULL_IMAGES), string(PREPULL_PAUSE_IMAGE));
    for (String extra : prepull.images()) {
      if (!extra.equals(image) && !pod.allowedImages().contains(extra)) {
        problems.add(
            PREPULL_IMAGES.key()
                + ": '"
                + extra
                + "' is not in "
                + ALLOWED_IMAGES.key()
                + " (no project could run it); add it there or drop it here");
      }
    }
    if (prepull.pauseImage() == null) {
      problems.add(PREPULL_PAUSE_IMAGE.key() + " must name an image");
    }
    if (!problems.isEmpty()) {
      throw new InvalidSettingsException(problems);
    }
    QuotaPolicy policy =
        new QuotaPolicy(
            cpuOc,
            memOc,
            defaults,
            cap,
            minCpu == null ? 0 : minCpu,
            minMem == null ? 0 : minMem,
            gpuResource);
    return new Settings(
        policy,
        cluster,
        pod,
        idleCheck,
        pending,
        backfill == null ? Duration.ZERO : backfill,
        restart,
        gpuActivity,
        retention == null ? Duration.ofHours(24) : retention,
        prepull);
  }

  private String raw(SettingKey key) {
    String v = data.getOrDefault(key.key(), key.defaultValue());
    return v == null || v.isBlank() ? null : v.trim();
  }

  private String string(SettingKey key) {
    return raw(key);
  }

  private <T> T get(SettingKey key, Function<String, T> parser) {
    String v = raw(key);
    if (v == null) {
      return null;
    }
    try {
      return parser.apply(v);
    } catch (InvalidQuantityException e) {
      problems.add(e.getMessage());
    } catch (RuntimeException e) {
      problems.add(key.key() + " '" + v + "': " + e.getMessage());
    }
    return null;
  }

  private double ratio(SettingKey key) {
    Double d = get(key, Double::parseDouble);
    if (d == null || !(d >= 1) || d.isInfinite()) {
      problems.add(
          key.key() + " must be a number >= 1 (1 = no overcommit), got '" + raw(key) + "'");
      return 1;
    }
    return d;
  }

  private boolean bool(SettingKey key) {
    String v = raw(key);
    if ("true".equalsIgnoreCase(v)) {
      return true;
    }
    if (v == null || "false".equalsIgnoreCase(v)) {
      return false;
    }
    problems.add(key.key() + " must be true or false, got '" + v + "'");
    return false;
  }

  private long id(SettingKey key) {
    Long v = get(key, Long::parseLong);
    if (v == null || v <= 0) {
      problems.add(
          key.key()
              + " must be a positive id (projects never run as root), got '"
              + raw(key)
              + "'");
      return 1;
    }
    return v;
  }

  private Duration positive(SettingKey key, Duration d) {
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("must be longer than 0s");
    }
    return d;
  }

  private static long orMax(Long v) {
    return v == null ? Long.MAX_VALUE : v;
  }

  private List<String> list(SettingKey key) {
    String v = raw(key);
    return v == null
        ? List.of()
        : Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** Absolute http(s) URLs with a host. */
  private List<java.net.URI> urls(SettingKey key) {
    List<java.net.URI> out = new ArrayList<>();
    for (String item : list(key)) {
      try {
        java.net.URI uri = new java.net.URI(item);
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
            || uri.getHost() == null) {
          problems.add(
              key.key() + ": '" + item + "' is not an http:// or https:// URL with a host");
          continue;
        }
        out.add(uri);
      } catch (java.net.URISyntaxException e) {
        problems.add(key.key() + ": '" + item + "' is not a URL: " + e.getReason());
      }
    }
    return out;
  }

  private double percent(SettingKey key) {
    Double d = get(key, Double::parseDouble);
    if (d == null || !(d >= 0 && d < 100)) {
      problems.add(key.key() + " must be a percentage from 0 to below 100, got '" + raw(key) + "'");
      return 0;
    }
    return d;
  }

  private Map<String, String> labels(SettingKey key) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String item : list(key)) {
      int eq = item.indexOf('=');
      if (eq <= 0) {
        problems.add(key.key() + ": '" + item + "' is not key=value");
        continue;
      }
      out.put(item.substring(0, eq).trim(), item.substring(eq + 1).trim());
    }
    return out;
  }

  /** key=value:Effect, key:Effect (Exists), or key=value (all effects). */
  private List<Toleration> tolerations(SettingKey key) {
    List<Toleration> out = new ArrayList<>();
    for (String item : list(key)) {
      String effect = null;
      String kv = item;
      int colon = item.lastIndexOf(':');
      if (colon > 0) {
        effect = item.substring(colon + 1).trim();
        kv = item.substring(0, colon).trim();
        if (!EFFECTS.contains(effect)) {
          problems.add(
              key.key() + ": '" + item + "' has effect '" + effect + "'; use one of " + EFFECTS);
          continue;
        }
      }
      int eq = kv.indexOf('=');
      TolerationBuilder t = new TolerationBuilder().withEffect(effect);
      if (eq > 0) {
        t.withKey(kv.substring(0, eq)).withOperator("Equal").withValue(kv.substring(eq + 1));
      } else {
        t.withKey(kv).withOperator("Exists");
      }
      out.add(t.build());
    }
    return out;
  }

  private static String suggestion(String key, Set<String> known) {
    String best = null;
    int bestDistance = 4;
    for (String k : known) {
      int d = distance(key.toLowerCase(), k.toLowerCase());
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best == null ? "" : "; did you mean '" + best + "'?";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int[] cur = new int[b.length() + 1];
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        cur[j] =
            Math.min(
                Math.min(cur[j - 1] + 1, prev[j] + 1),
                prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
      }
      prev = cur;
    }
    return prev[b.length()];
  }
}
