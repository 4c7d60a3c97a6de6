package dev.quotient.deploy;

import static dev.quotient.deploy.Manifests.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.quotient.settings.SettingKey;
import dev.quotient.settings.Settings;
import dev.quotient.settings.SettingsParser;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * helm/quotient rendered by Helm itself (helm-java bundles the native Helm library): lint, the
 * values schema, settings that parse with the real {@link SettingsParser}, and RBAC, policies and
 * Deployment equal to operator/ (what {@code kubectl apply -k operator/} installs).
 */
class HelmChartTest {
  static final Path CHART = Path.of("helm/quotient");
  static final String KUBE_VERSION = "1.32.0";
  static final String UPDATE =
      "cp crds/*.quotient.dev.yaml helm/quotient/crds/ (mvn -q test -Dtest=CrdsUpToDateTest -Dquotient.updateCrds=true refreshes both)";

  private final List<GenericKubernetesResource> operator = Manifests.build(Manifests.OPERATOR);

  static List<GenericKubernetesResource> render(UnaryOperator<TemplateCommand> options) {
    TemplateCommand cmd =
        new Helm(CHART)
            .template()
            .withName("quotient")
            .withNamespace(NAMESPACE)
            .withKubeVersion(KUBE_VERSION);
    return Manifests.objects(options.apply(cmd).call());
  }

  static List<GenericKubernetesResource> render() {
    return render(c -> c);
  }

  @Test
  void lintPasses() {
    LintResult lint = new Helm(CHART).lint().strict().call();
    assertThat(lint.isFailed())
        .as("helm lint --strict helm/quotient: " + lint.getMessages())
        .isFalse();
  }

  @Test
  void chartCrdsAreByteIdenticalToTheRepositoryCrds() throws IOException {
    Path chartCrds = CHART.resolve("crds");
    Set<String> repo = crdFiles(Manifests.CRDS);
    if (Boolean.getBoolean("quotient.updateCrds")) {
      for (String f : repo) {
        Files.copy(
            Manifests.CRDS.resolve(f),
            chartCrds.resolve(f),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    assertThat(crdFiles(chartCrds))
        .as("helm/quotient/crds/ holds exactly the CRDs of crds/; run: " + UPDATE)
        .isEqualTo(repo);
    try (Stream<Path> files = Files.list(chartCrds)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .as("helm/quotient/crds/ must hold CRDs only (Helm applies every file there)")
          .allMatch(n -> n.endsWith(".quotient.dev.yaml"));
    }
    for (String f : repo) {
      assertThat(Files.readAllBytes(chartCrds.resolve(f)))
          .as(chartCrds.resolve(f) + " differs from crds/" + f + "; run: " + UPDATE)
          .isEqualTo(Files.readAllBytes(Manifests.CRDS.resolve(f)));
    }
  }

  @Test
  void defaultValuesRenderSettingsThatParseIntoTheDesignDefaults() {
    Settings s = settings(render());
    assertThat(s).isEqualTo(Settings.defaults());
    assertThat(s.quotaPolicy().cpuOvercommit()).isEqualTo(10);
    assertThat(s.quotaPolicy().memoryOvercommit()).isEqualTo(5);
    assertThat(s.clusterQuota().enabled()).isTrue();
    assertThat(s.restartOnLicenseChange()).isTrue();
    assertThat(s.pendingTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.pod().uid()).isEqualTo(2001);
  }

  @Test
  void valuesYamlShowsEverySettingWithTheSameDefaultsAsOperatorManifests() {
    JsonNode values = Manifests.documents(CHART.resolve("values.yaml")).get(0);
    String settingsYaml;
    try {
      settingsYaml = Manifests.YAML.writeValueAsString(values.get("settings"));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    assertThat(OperatorManifestsTest.flatKeys(settingsYaml))
        .as("helm/quotient/values.yaml settings: every SettingKey")
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(SettingKey.values()).map(SettingKey::key).toList());
    ConfigMap fromOperator =
        Manifests.one(operator, "ConfigMap", "quotient-settings", ConfigMap.class);
    assertThat(Manifests.documents(settingsYaml).get(0))
        .as("values.yaml settings == operator/settings-configmap.yaml settings.yaml")
        .isEqualTo(Manifests.documents(fromOperator.getData().get(SettingsParser.YAML_KEY)).get(0));
  }

  @Test
  void overriddenValuesReachTheParsedSettings() throws IOException {
    Path values = Files.createTempFile("quotient-values", ".yaml");
    try {
      Files.writeString(
          values,
          """
          settings:
            maxUpgrades:
              memory: 64Gi
            pod:
              homeClaimName: homes
              allowedImages: [quay.io/jupyter/scipy-notebook:latest, quay.io/jupyter/r-notebook:latest]
              projectNodeSelector:
                quotient.dev/project-node: "true"
              projectTolerations:
              - {key: quotient.dev/project-node, operator: Exists, effect: NoSchedule}
              - {key: pool, operator: Equal, value: projects, effect: NoExecute}
          """);
      Settings s =
          settings(
              render(
                  c ->
                      c.withValuesFile(values)
                          .set("settings.cpuOvercommit", "4")
                          .set("settings.clusterQuota.runningProjects", "50")
                          .set("settings.clusterQuota.enabled", "false")
                          .set("settings.defaultQuota.idleTimeout", "2h")
                          .set("settings.nodeGroupKey", "cocalc-dedicated_vm")));
      assertThat(s.quotaPolicy().cpuOvercommit()).isEqualTo(4);
      assertThat(s.quotaPolicy().memoryOvercommit()).isEqualTo(5);
      assertThat(s.quotaPolicy().maxUpgrades().memoryBytes()).isEqualTo(64L << 30);
      assertThat(s.clusterQuota().runningProjects()).isEqualTo(50);
      assertThat(s.clusterQuota().enabled()).isFalse();
      assertThat(s.quotaPolicy().defaultQuota().idleTimeout()).isEqualTo(Duration.ofHours(2));
      assertThat(s.pod().nodeGroupKey()).isEqualTo("cocalc-dedicated_vm");
      assertThat(s.pod().homeClaimName()).isEqualTo("homes");
      assertThat(s.pod().allowedImages())
          .containsExactly(
              "quay.io/jupyter/scipy-notebook:latest", "quay.io/jupyter/r-notebook:latest");
      assertThat(s.pod().projectNodeSelector())
          .containsExactly(Map.entry("quotient.dev/project-node", "true"));
      assertThat(s.pod().projectTolerations())
          .containsExactly(
              new TolerationBuilder()
                  .withKey("quotient.dev/project-node")
                  .withOperator("Exists")
                  .withEffect("NoSchedule")
                  .build(),
              new TolerationBuilder()
                  .withKey("pool")
                  .withOperator("Equal")
                  .withValue("projects")
                  .withEffect("NoExecute")
                  .build());
    } finally {
      Files.deleteIfExists(values);
    }
  }

  /** The README's prepull example renders and parses to what it says. */
  @Test
  void prepullExampleValues() {
    Settings s = settings(render(c -> c.withValuesFile(Path.of("examples/values/prepull.yaml"))));
    assertThat(s.prepull().enabled()).isTrue();
    assertThat(s.prepull().imagesToPull(s.pod().defaultImage()))
        .containsExactly(
            "quay.io/jupyter/base-notebook:2026-12-01",
            "quay.io/jupyter/scipy-notebook:2026-12-01");
    assertThat(s.prepull().pauseImage()).isEqualTo("registry.k8s.io/pause:3.10");
  }

  @Test
  void invalidValuesAreRejectedByTheValuesSchema() {
    Map<String, String> invalid = new HashMap<>();
    invalid.put("settings.cpuOvercommit", "0.5");
    invalid.put("settings.cpuOvercommitt", "4");
    invalid.put("settings.defaultQuota.memory", "lots");
    invalid.put("settings.pendingTimeout", "ten minutes");
    invalid.put("settings.pod.uid", "0");
    invalid.put("settings.pod.imagePullPolicy", "Sometimes");
    invalid.put("settings.clusterQuota.enabled", "yes please");
    invalid.put("settings.nodeGroupKey", "not a key");
    invalid.forEach(
        (key, value) ->
            assertThatThrownBy(() -> render(c -> c.set(key, value)))
                .as("--set " + key + "=" + value + " must be refused by values.schema.json")
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(key.substring("settings.".length()).replaceAll("\\..*", "")));
  }

  @Test
  void rbacEqualsTheOperatorManifests() {
    List<GenericKubernetesResource> chart = render();
    assertThat(
            Manifests.one(chart, "ClusterRole", "quotient-operator", ClusterRole.class).getRules())
        .isEqualTo(
            Manifests.one(operator, "ClusterRole", "quotient-operator", ClusterRole.class)
                .getRules());
    assertThat(Manifests.one(chart, "Role", "quotient-operator", Role.class).getRules())
        .isEqualTo(Manifests.one(operator, "Role", "quotient-operator", Role.class).getRules());
    ClusterRoleBinding crb =
        Manifests.one(chart, "ClusterRoleBinding", "quotient-operator", ClusterRoleBinding.class);
    ClusterRoleBinding crbOp =
        Manifests.one(
            operator, "ClusterRoleBinding", "quotient-operator", ClusterRoleBinding.class);
    assertThat(crb.getRoleRef()).isEqualTo(crbOp.getRoleRef());
    assertThat(crb.getSubjects()).isEqualTo(crbOp.getSubjects());
    RoleBinding rb = Manifests.one(chart, "RoleBinding", "quotient-operator", RoleBinding.class);
    RoleBinding rbOp =
        Manifests.one(operator, "RoleBinding", "quotient-operator", RoleBinding.class);
    assertThat(rb.getRoleRef()).isEqualTo(rbOp.getRoleRef());
    assertThat(rb.getSubjects()).isEqualTo(rbOp.getSubjects());
    Manifests.one(chart, "ServiceAccount", Manifests.SERVICE_ACCOUNT, ServiceAccount.class);
    assertThat(Manifests.read(CHART.resolve("templates/clusterrole.yaml")))
        .as("the chart's ClusterRole keeps the rule-by-rule comments of operator/clusterrole.yaml")
        .contains(
            Manifests.read(Manifests.OPERATOR.resolve("clusterrole.yaml"))
                .substring(
                    Manifests.read(Manifests.OPERATOR.resolve("clusterrole.yaml"))
                        .indexOf("rules:")));
  }

  @Test
  void admissionPoliciesEqualTheOperatorManifests() {
    List<GenericKubernetesResource> chart = render();
    for (String kind : List.of("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding")) {
      Map<String, Object> fromChart = specsByName(chart, kind);
      assertThat(fromChart)
          .as(kind + " rendered by the chart vs. operator/admission-policies.yaml")
          .isEqualTo(specsByName(operator, kind));
    }
    assertThat(chart)
        .filteredOn(o -> o.getKind().startsWith("ValidatingAdmission"))
        .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isNull());
  }

  @Test
  void deploymentAndSettingsEqualTheOperatorManifestsModuloLabels() {
    List<GenericKubernetesResource> chart = render();
    Deployment d = Manifests.one(chart, "Deployment", "quotient-operator", Deployment.class);
    Deployment op = Manifests.one(operator, "Deployment", "quotient-operator", Deployment.class);
    assertThat(d.getSpec().getTemplate().getSpec()).isEqualTo(op.getSpec().getTemplate().getSpec());
    assertThat(d.getSpec().getReplicas()).isEqualTo(op.getSpec().getReplicas());
    assertThat(d.getSpec().getStrategy()).isEqualTo(op.getSpec().getStrategy());
    assertThat(d.getSpec().getSelector().getMatchLabels().entrySet())
        .isSubsetOf(d.getSpec().getTemplate().getMetadata().getLabels().entrySet());
    assertThat(d.getMetadata().getLabels())
        .containsKeys(
            "app.kubernetes.io/name",
            "app.kubernetes.io/instance",
            "app.kubernetes.io/version",
            "app.kubernetes.io/managed-by",
            "helm.sh/chart");
    assertThat(chart.stream().map(Manifests::key).collect(Collectors.toSet()))
        .isEqualTo(
            operator.stream()
                .filter(o -> !Set.of("CustomResourceDefinition", "Namespace").contains(o.getKind()))
                .map(Manifests::key)
                .collect(Collectors.toSet()));
  }

  @Test
  void anotherReleaseNameAndNamespaceStayConsistent() {
    List<GenericKubernetesResource> chart =
        Manifests.objects(
            new Helm(CHART)
                .template()
                .withName("lab")
                .withNamespace("ops")
                .withKubeVersion(KUBE_VERSION)
                .set("admissionPolicies.adminGroups[0]", "platform-admins")
                .call());
    ServiceAccount sa = Manifests.ofKind(chart, "ServiceAccount", ServiceAccount.class).get(0);
    assertThat(sa.getMetadata().getName()).isEqualTo("lab-quotient-operator");
    Deployment d = Manifests.ofKind(chart, "Deployment", Deployment.class).get(0);
    assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo(sa.getMetadata().getName());
    ClusterRoleBinding crb =
        Manifests.ofKind(chart, "ClusterRoleBinding", ClusterRoleBinding.class).get(0);
    assertThat(crb.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getName()).isEqualTo(sa.getMetadata().getName());
              assertThat(s.getNamespace()).isEqualTo("ops");
            });
    assertThat(
            Manifests.ofKind(chart, "ClusterRole", ClusterRole.class)
                .get(0)
                .getMetadata()
                .getName())
        .isEqualTo(crb.getRoleRef().getName());
    ConfigMap cm = Manifests.ofKind(chart, "ConfigMap", ConfigMap.class).get(0);
    assertThat(cm.getMetadata().getName())
        .as("the code reads this fixed name")
        .isEqualTo("quotient-settings");

    AdmissionPoliciesTest.Policy ledger =
        new AdmissionPoliciesTest.Policy(
            Manifests.one(
                chart,
                "ValidatingAdmissionPolicy",
                "lab-quotient-pod-ledger-labels",
                GenericKubernetesResource.class));
    Map<String, Object> pod =
        AdmissionPoliciesTest.pod(Map.of("quotient.dev/cpu-millis", "1000"), Map.of());
    assertThat(
            ledger.denies(
                AdmissionPoliciesTest.create(
                    AdmissionPoliciesTest.user("system:serviceaccount:ops:lab-quotient-operator"),
                    pod)))
        .isEmpty();
    assertThat(
            ledger.denies(
                AdmissionPoliciesTest.create(
                    AdmissionPoliciesTest.user(Manifests.OPERATOR_USER), pod)))
        .isPresent();
    AdmissionPoliciesTest.Policy admin =
        new AdmissionPoliciesTest.Policy(
            Manifests.one(
                chart,
                "ValidatingAdmissionPolicy",
                "lab-quotient-project-admin-quota",
                GenericKubernetesResource.class));
    Map<String, Object> project = AdmissionPoliciesTest.project(Map.of("cpu", "4"), "Running");
    assertThat(
            admin.denies(
                AdmissionPoliciesTest.create(
                    AdmissionPoliciesTest.user("bob", "platform-admins"), project)))
        .isEmpty();
    assertThat(
            admin.denies(
                AdmissionPoliciesTest.create(
                    AdmissionPoliciesTest.user("eve", "quotient:admins"), project)))
        .hasValueSatisfying(m -> assertThat(m).contains("platform-admins"));
    List<String> vapb =
        Manifests.ofKind(chart, "ValidatingAdmissionPolicyBinding", GenericKubernetesResource.class)
            .stream()
            .map(b -> (String) AdmissionPoliciesTest.spec(b).get("policyName"))
            .sorted()
            .toList();
    assertThat(vapb)
        .containsExactly("lab-quotient-pod-ledger-labels", "lab-quotient-project-admin-quota");
  }

  @Test
  void optionalPartsSwitchOnAndOff() {
    List<GenericKubernetesResource> defaults = render();
    assertThat(defaults)
        .noneMatch(o -> o.getKind().equals("ServiceMonitor") || o.getKind().equals("Service"));

    List<GenericKubernetesResource> monitored =
        render(c -> c.set("metrics.serviceMonitor.enabled", "true"));
    Service svc = Manifests.ofKind(monitored, "Service", Service.class).get(0);
    Deployment d = Manifests.ofKind(monitored, "Deployment", Deployment.class).get(0);
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels().entrySet())
        .containsAll(svc.getSpec().getSelector().entrySet());
    GenericKubernetesResource sm =
        Manifests.ofKind(monitored, "ServiceMonitor", GenericKubernetesResource.class).get(0);
    assertThat(sm.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    @SuppressWarnings("unchecked")
    Map<String, Object> selector =
        (Map<String, Object>)
            ((Map<String, Object>) AdmissionPoliciesTest.spec(sm).get("selector"))
                .get("matchLabels");
    assertThat(svc.getMetadata().getLabels().entrySet())
        .containsAll(
            selector.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (String) e.getValue()))
                .toList());

    List<GenericKubernetesResource> bare =
        render(c -> c.set("admissionPolicies.enabled", "false").set("rbac.create", "false"));
    assertThat(bare.stream().map(HasMetadata::getKind).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(
            "ServiceAccount", "ConfigMap", "Deployment", "PodDisruptionBudget");

    List<GenericKubernetesResource> single = render(c -> c.set("replicaCount", "1"));
    Deployment one = Manifests.ofKind(single, "Deployment", Deployment.class).get(0);
    assertThat(one.getSpec().getReplicas()).isEqualTo(1);
    assertThat(one.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(single).noneMatch(o -> o.getKind().equals("PodDisruptionBudget"));
    assertThat(render(c -> c.set("podDisruptionBudget.enabled", "false")))
        .noneMatch(o -> o.getKind().equals("PodDisruptionBudget"));
  }

  /** The dashboard has no login: off by default, and when on, only on the pod's loopback. */
  @Test
  void theDashboardIsOffByDefaultAndOnlyAPortWhenOn() {
    java.util.function.Function<List<GenericKubernetesResource>, Map<String, String>> env =
        objects ->
            Manifests.ofKind(objects, "Deployment", Deployment.class)
                .get(0)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv()
                .stream()
                .filter(e -> e.getValue() != null)
                .collect(
                    Collectors.toMap(
                        io.fabric8.kubernetes.api.model.EnvVar::getName,
                        io.fabric8.kubernetes.api.model.EnvVar::getValue));
    assertThat(env.apply(render())).doesNotContainKey("QUOTIENT_DASHBOARD_PORT");
    Map<String, String> on =
        env.apply(render(c -> c.set("dashboard.enabled", "true").set("dashboard.port", "9090")));
    assertThat(on)
        .containsEntry("QUOTIENT_DASHBOARD_PORT", "9090")
        .as("no host: the operator binds 127.0.0.1")
        .doesNotContainKey("QUOTIENT_DASHBOARD_HOST");
  }

  private static Settings settings(List<GenericKubernetesResource> objects) {
    ConfigMap cm = Manifests.one(objects, "ConfigMap", "quotient-settings", ConfigMap.class);
    assertThat(cm.getData()).containsOnlyKeys(SettingsParser.YAML_KEY);
    return SettingsParser.parse(cm.getData());
  }

  private static Map<String, Object> specsByName(
      List<GenericKubernetesResource> objects, String kind) {
    Map<String, Object> out = new HashMap<>();
    Manifests.ofKind(objects, kind, GenericKubernetesResource.class)
        .forEach(o -> out.put(o.getMetadata().getName(), AdmissionPoliciesTest.spec(o)));
    return out;
  }

  private static Set<String> crdFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".quotient.dev.yaml"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
