package dev.quotient.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.quotient.quota.QuotaPolicy;
import dev.quotient.quota.Upgrade;
import io.fabric8.kubernetes.api.model.Toleration;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsParserTest {

  private static List<String> problems(Map<String, String> data) {
    InvalidSettingsException e =
        catchThrowableOfType(InvalidSettingsException.class, () -> SettingsParser.parse(data));
    assertThat(e).as("settings %s should be refused", data).isNotNull();
    assertThat(e.getMessage())
        .startsWith("invalid settings: ")
        .contains(String.join("; ", e.problems()));
    return e.problems();
  }

  @Test
  void defaultsParse() {
    Settings s = SettingsParser.parse(Map.of());
    QuotaPolicy p = s.quotaPolicy();
    assertThat(p.cpuOvercommit()).isEqualTo(10.0);
    assertThat(p.memoryOvercommit()).isEqualTo(5.0);
    assertThat(p.minCpuRequestMillis()).isEqualTo(10);
    assertThat(p.minMemoryRequestBytes()).isEqualTo(32L << 20);
    assertThat(p.maxUpgrades()).isEqualTo(QuotaPolicy.NO_CAP);
    assertThat(p.defaultGpuResource()).isEqualTo("nvidia.com/gpu");
    Upgrade d = p.defaultQuota();
    assertThat(d.cpuMillis()).isEqualTo(1000);
    assertThat(d.memoryBytes()).isEqualTo(1L << 30);
    assertThat(d.ephemeralBytes()).isNull();
    assertThat(d.idleTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(d.maxDuration()).isNull();
    assertThat(d.alwaysRunning()).isFalse();
    assertThat(d.nodeGroups()).isEmpty();

    assertThat(s.clusterQuota()).isEqualTo(new ClusterQuotaSettings(true, null, null, null, null));
    assertThat(s.idleCheckInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.pendingTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.restartOnLicenseChange()).isTrue();

    PodSettings pod = s.pod();
    assertThat(pod.defaultImage()).isEqualTo("quay.io/jupyter/base-notebook:latest");
    assertThat(pod.allowedImages()).isEmpty();
    assertThat(pod.imagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(pod.homeClaimName()).isNull();
    assertThat(pod.homeSubPath()).isEqualTo("projects/{projectId}");
    assertThat(pod.homeMountPath()).isEqualTo("/home/user");
    assertThat(pod.uid()).isEqualTo(2001);
    assertThat(pod.gid()).isEqualTo(2001);
    assertThat(pod.projectNodeSelector()).isEmpty();
    assertThat(pod.projectTolerations()).isEmpty();
    assertThat(pod.tolerateGpuTaint()).isTrue();
    assertThat(pod.nodeGroupKey()).isEqualTo("quotient.dev/dedicated-node-group");
    assertThat(pod.allowPrivilegedPatches()).isFalse();

    assertThat(Settings.defaults()).isEqualTo(s);
    assertThat(SettingsParser.parse(null)).isEqualTo(s);
  }

  @ParameterizedTest
  @EnumSource(SettingKey.class)
  void everyDocumentedDefaultIsAcceptedWhenWrittenOut(SettingKey key) {
    assertThat(key.description()).isNotBlank();
    assertThat(SettingsParser.parse(Map.of(key.key(), key.defaultValue())))
        .isEqualTo(Settings.defaults());
  }

  @Test
  void everyKeyIsUnique() {
    assertThat(Arrays.stream(SettingKey.values()).map(SettingKey::key).collect(Collectors.toSet()))
        .hasSize(SettingKey.values().length);
  }

  @Test
  void overridesAreRead() {
    Settings s =
        SettingsParser.parse(
            Map.ofEntries(
                Map.entry("cpuOvercommit", "4"),
                Map.entry("memoryOvercommit", "1.5"),
                Map.entry("defaultQuota.cpu", "500m"),
                Map.entry("defaultQuota.memory", "2Gi"),
                Map.entry("defaultQuota.idleTimeout", ""),
                Map.entry("defaultQuota.maxDuration", "12h"),
                Map.entry("maxUpgrades.cpu", "16"),
                Map.entry("maxUpgrades.memory", "64Gi"),
                Map.entry("maxUpgrades.gpu", "2"),
                Map.entry("clusterQuota.enabled", "FALSE"),
                Map.entry("clusterQuota.cpu", "100"),
                Map.entry("clusterQuota.runningProjects", "50"),
                Map.entry("nodeGroupKey", "cocalc-dedicated_vm"),
                Map.entry("pod.allowedImages", " a:1, b:2 ,,"),
                Map.entry("pod.homeClaimName", "homes"),
                Map.entry("pod.uid", "1000"),
                Map.entry("restartOnLicenseChange", "false"),
                Map.entry("pod.tolerateGpuTaint", "false"),
                Map.entry("allowPrivilegedPatches", "True")));
    QuotaPolicy p = s.quotaPolicy();
    assertThat(p.cpuOvercommit()).isEqualTo(4.0);
    assertThat(p.memoryOvercommit()).isEqualTo(1.5);
    assertThat(p.defaultQuota().cpuMillis()).isEqualTo(500);
    assertThat(p.defaultQuota().memoryBytes()).isEqualTo(2L << 30);
    assertThat(p.defaultQuota().idleTimeout()).as("empty: never idle-stopped").isNull();
    assertThat(p.defaultQuota().maxDuration()).isEqualTo(Duration.ofHours(12));
    assertThat(p.maxUpgrades().cpuMillis()).isEqualTo(16_000);
    assertThat(p.maxUpgrades().memoryBytes()).isEqualTo(64L << 30);
    assertThat(p.maxUpgrades().gpu()).isEqualTo(2);
    assertThat(s.clusterQuota())
        .isEqualTo(new ClusterQuotaSettings(false, 100_000L, null, null, 50L));
    assertThat(s.pod().nodeGroupKey()).isEqualTo("cocalc-dedicated_vm");
    assertThat(s.pod().allowedImages()).containsExactly("a:1", "b:2");
    assertThat(s.pod().homeClaimName()).isEqualTo("homes");
    assertThat(s.pod().uid()).isEqualTo(1000);
    assertThat(s.pod().gid()).isEqualTo(2001);
    assertThat(s.restartOnLicenseChange()).isFalse();
    assertThat(s.pod().tolerateGpuTaint()).isFalse();
    assertThat(s.pod().allowPrivilegedPatches()).isTrue();
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    Map<String, String> data = new HashMap<>();
    data.put("cpuOvercommit", "0.5");
    data.put("defaultQuota.memory", "8GB");
    data.put("pod.uid", "0");
    data.put("idleCheckInterval", "0s");
    data.put("pod.imagePullPolicy", "Sometimes");
    data.put("clusterQuota.enabled", "yes");
    data.put("nodeGroupKey", "not a key");
    data.put("maxUpgrades.gpu", "1.5");
    data.put("pod.projectTolerations", "gpu:Sometimes");
    data.put("pod.projectNodeSelector", "pool");
    data.put("defaultQuota.idelTimeout", "1h");
    List<String> problems = problems(data);
    assertThat(problems).hasSizeGreaterThanOrEqualTo(11);
    for (String key : data.keySet()) {
      assertThat(problems).as("a problem names %s", key).anyMatch(p -> p.contains(key));
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "cpuOvercomit,              cpuOvercommit",
    "CPUOVERCOMMIT,             cpuOvercommit",
    "defaultQuota.idelTimeout,  defaultQuota.idleTimeout",
    "pod.defaultimage,          pod.defaultImage",
    "maxUpgrade.cpu,            maxUpgrades.cpu",
    "pod.homeClaimNam,          pod.homeClaimName",
  })
  void unknownKeyGetsADidYouMean(String typo, String suggestion) {
    assertThat(problems(Map.of(typo, "1")))
        .singleElement()
        .asString()
        .contains("unknown setting '" + typo + "'")
        .endsWith("did you mean '" + suggestion + "'?");
  }

  @ParameterizedTest
  @ValueSource(strings = {"completelyUnrelated", "x"})
  void unknownKeyFarFromAnyKnownKeyHasNoSuggestion(String key) {
    assertThat(problems(Map.of(key, "1")))
        .singleElement()
        .asString()
        .isEqualTo("unknown setting '" + key + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.5", "0", "-1", "0.999", "abc", "NaN", "Infinity", "1e400"})
  void overcommitBelowOneOrNotANumberIsRefused(String value) {
    for (String key : List.of("cpuOvercommit", "memoryOvercommit")) {
      assertThat(problems(Map.of(key, value)))
          .anyMatch(
              p -> p.contains(key + " must be a number >= 1") && p.contains("'" + value + "'"));
    }
  }

  @ParameterizedTest
  @CsvSource({"1, 1.0", "1.0, 1.0", "2.5, 2.5", "20, 20.0"})
  void overcommitOfOneOrMoreIsAccepted(String value, double ratio) {
    assertThat(SettingsParser.parse(Map.of("cpuOvercommit", value)).quotaPolicy().cpuOvercommit())
        .isEqualTo(ratio);
  }

  @ParameterizedTest
  @CsvSource({"pod.uid, 0", "pod.gid, 0", "pod.uid, -5", "pod.uid, root", "pod.gid, 1.5"})
  void rootOrNonNumericIdsAreRefused(String key, String value) {
    assertThat(problems(Map.of(key, value)))
        .anyMatch(p -> p.contains(key + " must be a positive id"));
  }

  record Tol(String key, String operator, String value, String effect) {
    static Tol of(Toleration t) {
      return new Tol(t.getKey(), t.getOperator(), t.getValue(), t.getEffect());
    }
  }

  @ParameterizedTest(name = "''{0}''")
  @CsvSource(
      delimiter = '|',
      nullValues = "null",
      value = {
        "pool=projects:NoSchedule                  | pool         | Equal  | projects | NoSchedule",
        "pool:NoExecute                            | pool         | Exists | null     | NoExecute",
        "pool=projects                             | pool         | Equal  | projects | null",
        "pool                                      | pool         | Exists | null     | null",
        "' example.com/spot=true:PreferNoSchedule '| example.com/spot | Equal | true  | PreferNoSchedule",
      })
  void projectTolerationFormats(
      String text, String key, String operator, String value, String effect) {
    List<Toleration> t =
        SettingsParser.parse(Map.of("pod.projectTolerations", text)).pod().projectTolerations();
    assertThat(t).extracting(Tol::of).containsExactly(new Tol(key, operator, value, effect));
  }

  @Test
  void severalTolerationsKeepTheirOrder() {
    List<Toleration> t =
        SettingsParser.parse(Map.of("pod.projectTolerations", "a=1:NoSchedule, b:NoExecute"))
            .pod()
            .projectTolerations();
    assertThat(t)
        .extracting(Tol::of)
        .containsExactly(
            new Tol("a", "Equal", "1", "NoSchedule"), new Tol("b", "Exists", null, "NoExecute"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"pool=projects:NoSchedul", "pool:noschedule", "pool=x:"})
  void tolerationWithUnknownEffectIsRefused(String text) {
    assertThat(problems(Map.of("pod.projectTolerations", text)))
        .singleElement()
        .asString()
        .contains("pod.projectTolerations")
        .contains("has effect");
  }

  @ParameterizedTest(name = "''{0}''")
  @CsvSource(
      delimiter = '|',
      value = {
        "pool=projects                  | {pool=projects}",
        "pool=projects, zone = a        | {pool=projects, zone=a}",
        "node-role.kubernetes.io/project= | {node-role.kubernetes.io/project=}",
      })
  void projectNodeSelectorFormats(String text, String expected) {
    assertThat(
            SettingsParser.parse(Map.of("pod.projectNodeSelector", text))
                .pod()
                .projectNodeSelector())
        .hasToString(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"pool", "=projects", "pool=a,zone"})
  void projectNodeSelectorWithoutKeyValueIsRefused(String text) {
    assertThat(problems(Map.of("pod.projectNodeSelector", text)))
        .singleElement()
        .asString()
        .contains("pod.projectNodeSelector")
        .contains("is not key=value");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "idleCheckInterval        | 0s    | must be longer than 0s",
        "pendingTimeout           | soon  | is not a duration",
        "defaultQuota.idleTimeout | 0m    | must be longer than 0s",
        "defaultQuota.maxDuration | 1 day | is not a duration",
        "defaultQuota.cpu         | 2 cores | is not a Kubernetes quantity",
        "minMemoryRequest         | 32MB  | is not a Kubernetes quantity",
        "maxUpgrades.gpu          | 1.5   | must be a whole number",
        "clusterQuota.runningProjects | 10.5 | must be a whole number",
        "clusterQuota.memory      | 8EB   | is not a Kubernetes quantity",
        "restartOnLicenseChange   | yes   | must be true or false",
        "allowPrivilegedPatches   | 1     | must be true or false",
        "pod.tolerateGpuTaint     | no    | must be true or false",
        "pod.imagePullPolicy      | always | must be Always, IfNotPresent or Never",
        "nodeGroupKey             | -bad  | is not a valid label key",
        "nodeGroupKey             | a/b/c | is not a valid label key",
        "pod.homeMountPath        | home/user | must be an absolute path",
      })
  void invalidValuesNameTheKeyAndTheProblem(String key, String value, String problem) {
    assertThat(problems(Map.of(key, value))).anyMatch(p -> p.contains(key) && p.contains(problem));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "pod.defaultImage     | must name an image",
        "nodeGroupKey         | is not a valid label key",
        "pod.imagePullPolicy  | must be Always, IfNotPresent or Never",
        "pod.homeMountPath    | must be an absolute path",
        "pod.uid              | must be a positive id",
      })
  void requiredSettingsCannotBeBlanked(String key, String problem) {
    // A Helm value rendered as "" must give a clear message, not a crash or a broken pod.
    assertThat(problems(Map.of(key, "  "))).anyMatch(p -> p.contains(key) && p.contains(problem));
  }

  @ParameterizedTest
  @ValueSource(strings = {"Always", "IfNotPresent", "Never"})
  void imagePullPolicies(String policy) {
    assertThat(SettingsParser.parse(Map.of("pod.imagePullPolicy", policy)).pod().imagePullPolicy())
        .isEqualTo(policy);
  }

  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource(
      nullValues = "null",
      value = {
        "null,                                 quay.io/jupyter/base-notebook:latest",
        "'',                                   quay.io/jupyter/base-notebook:latest",
        "quay.io/jupyter/base-notebook:latest, quay.io/jupyter/base-notebook:latest",
        "quay.io/jupyter/scipy-notebook:2025,  quay.io/jupyter/scipy-notebook:2025",
        "evil.example/miner:latest,            quay.io/jupyter/base-notebook:latest",
        "quay.io/jupyter/scipy-notebook,       quay.io/jupyter/base-notebook:latest",
      })
  void onlyAllowedImagesAreUsed(String requested, String used) {
    PodSettings pod =
        SettingsParser.parse(Map.of("pod.allowedImages", "quay.io/jupyter/scipy-notebook:2025"))
            .pod();
    assertThat(pod.imageFor(requested)).isEqualTo(used);
  }

  @org.junit.jupiter.api.Test
  void nestedYamlUnderSettingsYamlIsReadLikeFlatKeys() {
    Settings s =
        SettingsParser.parse(
            java.util.Map.of(
                SettingsParser.YAML_KEY,
                """
        cpuOvercommit: 4
        defaultQuota:
          cpu: "2"
          memory: 3Gi
        clusterQuota:
          runningProjects: 7
        pod:
          projectNodeSelector:
            quotient.dev/project-node: "true"
          projectTolerations:
          - {key: dedicated, operator: Equal, value: projects, effect: NoSchedule}
          - {key: spot, operator: Exists}
          allowedImages: [a:1, b:2]
        """,
                "memoryOvercommit",
                "2"));
    org.assertj.core.api.Assertions.assertThat(s.quotaPolicy().cpuOvercommit()).isEqualTo(4.0);
    org.assertj.core.api.Assertions.assertThat(s.quotaPolicy().memoryOvercommit()).isEqualTo(2.0);
    org.assertj.core.api.Assertions.assertThat(s.quotaPolicy().defaultQuota().cpuMillis())
        .isEqualTo(2000L);
    org.assertj.core.api.Assertions.assertThat(s.clusterQuota().runningProjects()).isEqualTo(7L);
    org.assertj.core.api.Assertions.assertThat(s.pod().projectNodeSelector())
        .containsEntry("quotient.dev/project-node", "true");
    org.assertj.core.api.Assertions.assertThat(s.pod().projectTolerations()).hasSize(2);
    org.assertj.core.api.Assertions.assertThat(s.pod().projectTolerations().get(0).getValue())
        .isEqualTo("projects");
    org.assertj.core.api.Assertions.assertThat(s.pod().projectTolerations().get(1).getOperator())
        .isEqualTo("Exists");
    org.assertj.core.api.Assertions.assertThat(s.pod().allowedImages())
        .containsExactly("a:1", "b:2");
  }

  @org.junit.jupiter.api.Test
  void brokenSettingsYamlIsAProblemNotACrash() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                SettingsParser.parse(java.util.Map.of(SettingsParser.YAML_KEY, "cpuOvercommit: [")))
        .isInstanceOf(InvalidSettingsException.class)
        .hasMessageContaining("settings.yaml is not valid YAML");
  }

  @Test
  void gpuActivityFromDcgmExporterIsOffByDefaultAndReadsUrlsIntervalAndThreshold() {
    GpuActivitySettings off = SettingsParser.parse(Map.of()).gpuActivity();
    assertThat(off.enabled()).isFalse();
    assertThat(off.interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(off.busyAbovePercent()).isEqualTo(5);
    GpuActivitySettings on =
        SettingsParser.parse(
                Map.of(
                    SettingsParser.YAML_KEY,
                    """
                    gpuActivity:
                      dcgmExporter:
                        url: [http://dcgm-a:9400/metrics, "http://dcgm-b:9400/metrics"]
                        interval: 1m
                        busyAbovePercent: 12.5
                    """))
            .gpuActivity();
    assertThat(on.enabled()).isTrue();
    assertThat(on.dcgmExporterUrls())
        .extracting(java.net.URI::toString)
        .containsExactly("http://dcgm-a:9400/metrics", "http://dcgm-b:9400/metrics");
    assertThat(on.interval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(on.busyAbovePercent()).isEqualTo(12.5);
  }

  @Test
  void unusableGpuActivitySettingsAreRefusedNamingTheKey() {
    assertThat(
            problems(
                Map.of(
                    "gpuActivity.dcgmExporter.url", "dcgm-exporter:9400, ftp://x/metrics",
                    "gpuActivity.dcgmExporter.interval", "0s",
                    "gpuActivity.dcgmExporter.busyAbovePercent", "100")))
        .anyMatch(p -> p.contains("'dcgm-exporter:9400' is not an http:// or https:// URL"))
        .anyMatch(p -> p.contains("'ftp://x/metrics' is not an http:// or https:// URL"))
        .anyMatch(p -> p.startsWith("gpuActivity.dcgmExporter.interval"))
        .anyMatch(p -> p.startsWith("gpuActivity.dcgmExporter.busyAbovePercent must be"));
  }
}
