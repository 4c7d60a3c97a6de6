package dev.quotient.deploy;

import static dev.quotient.deploy.Manifests.NAMESPACE;
import static dev.quotient.deploy.Manifests.OPERATOR;
import static dev.quotient.deploy.Manifests.SERVICE_ACCOUNT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quotient.admission.LeaseLedger;
import dev.quotient.controller.OperatorConfig;
import dev.quotient.controller.QuotientOperator;
import dev.quotient.settings.SettingKey;
import dev.quotient.settings.Settings;
import dev.quotient.settings.SettingsParser;
import dev.quotient.web.MetricsServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code kubectl apply -k operator/} installs a complete, wired-up operator. */
class OperatorManifestsTest {
  private final List<GenericKubernetesResource> objects = Manifests.build(OPERATOR);

  @Test
  void everyManifestIsListedAndEveryListedFileExists() throws IOException {
    JsonNode k = Manifests.kustomization(OPERATOR);
    Set<String> referenced = new TreeSet<>(Manifests.list(k, "resources"));
    referenced.addAll(Manifests.list(k, "transformers"));
    referenced.add("kustomization.yaml");
    try (Stream<Path> files = Files.list(OPERATOR)) {
      List<String> yamls =
          files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).toList();
      assertThat(referenced)
          .as("operator/kustomization.yaml must list every manifest in operator/")
          .containsAll(yamls);
    }
    for (String r : referenced) {
      assertThat(OPERATOR.resolve(r)).as("operator/kustomization.yaml lists " + r).exists();
    }
  }

  @Test
  void crdsKustomizationListsExactlyTheGeneratedCrds() throws IOException {
    try (Stream<Path> files = Files.list(Manifests.CRDS)) {
      Set<String> crds =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
              .collect(Collectors.toCollection(TreeSet::new));
      assertThat(
              new TreeSet<>(Manifests.list(Manifests.kustomization(Manifests.CRDS), "resources")))
          .as(
              "crds/kustomization.yaml must list every CRD file in crds/ (a new CRD needs a line there)")
          .isEqualTo(crds);
    }
  }

  @Test
  void yieldsCrdsRbacSettingsDeploymentAndPolicies() {
    assertThat(objects.stream().map(Manifests::key).toList())
        .containsExactlyInAnyOrder(
            "CustomResourceDefinition licenses.quotient.dev",
            "CustomResourceDefinition projects.quotient.dev",
            "CustomResourceDefinition dedicatednodegroups.quotient.dev",
            "Namespace " + NAMESPACE,
            "ServiceAccount " + NAMESPACE + "/" + SERVICE_ACCOUNT,
            "ClusterRole quotient-operator",
            "ClusterRoleBinding quotient-operator",
            "Role " + NAMESPACE + "/quotient-operator",
            "RoleBinding " + NAMESPACE + "/quotient-operator",
            "ConfigMap " + NAMESPACE + "/quotient-settings",
            "Deployment " + NAMESPACE + "/quotient-operator",
            "PodDisruptionBudget " + NAMESPACE + "/quotient-operator",
            "ValidatingAdmissionPolicy quotient-project-admin-quota",
            "ValidatingAdmissionPolicyBinding quotient-project-admin-quota",
            "ValidatingAdmissionPolicy quotient-pod-ledger-labels",
            "ValidatingAdmissionPolicyBinding quotient-pod-ledger-labels");
    // The files say the namespace themselves too, so `kubectl apply -f operator/x.yaml` works
    // alone.
    for (Path file :
        List.of(
            OPERATOR.resolve("serviceaccount.yaml"),
            OPERATOR.resolve("role.yaml"),
            OPERATOR.resolve("rolebinding.yaml"),
            OPERATOR.resolve("settings-configmap.yaml"),
            OPERATOR.resolve("deployment.yaml"),
            OPERATOR.resolve("poddisruptionbudget.yaml"))) {
      Manifests.objects(Manifests.read(file))
          .forEach(
              o ->
                  assertThat(o.getMetadata().getNamespace())
                      .as(file + ": " + Manifests.key(o))
                      .isEqualTo(NAMESPACE));
    }
  }

  @Test
  void bindingsDeploymentAndPoliciesReferToTheSameAccountAndObjects() {
    ClusterRoleBinding crb =
        Manifests.one(objects, "ClusterRoleBinding", "quotient-operator", ClusterRoleBinding.class);
    assertThat(crb.getRoleRef().getKind()).isEqualTo("ClusterRole");
    Manifests.one(objects, "ClusterRole", crb.getRoleRef().getName(), HasMetadata.class);
    assertThat(crb.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo(SERVICE_ACCOUNT);
              assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
            });
    RoleBinding rb = Manifests.one(objects, "RoleBinding", "quotient-operator", RoleBinding.class);
    assertThat(rb.getRoleRef().getKind()).isEqualTo("Role");
    Manifests.one(objects, "Role", rb.getRoleRef().getName(), Role.class);
    assertThat(rb.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getName()).isEqualTo(SERVICE_ACCOUNT);
              assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
            });
    Deployment d = Manifests.one(objects, "Deployment", "quotient-operator", Deployment.class);
    assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo(SERVICE_ACCOUNT);
    assertThat(d.getSpec().getSelector().getMatchLabels().entrySet())
        .isSubsetOf(d.getSpec().getTemplate().getMetadata().getLabels().entrySet());
    for (var policy :
        Manifests.ofKind(
            objects, "ValidatingAdmissionPolicyBinding", GenericKubernetesResource.class)) {
      String name =
          (String) ((Map<?, ?>) policy.getAdditionalProperties().get("spec")).get("policyName");
      Manifests.one(objects, "ValidatingAdmissionPolicy", name, GenericKubernetesResource.class);
    }
    String ledgerPolicy = Manifests.read(OPERATOR.resolve("admission-policies.yaml"));
    assertThat(ledgerPolicy)
        .as("the pod ledger policy must name the operator's ServiceAccount")
        .contains("\"" + Manifests.OPERATOR_USER + "\"");
  }

  @Test
  void roleGrantsExactlyTheSettingsConfigMapAndTheLeaderLease() {
    Role role = Manifests.one(objects, "Role", "quotient-operator", Role.class);
    PolicyRule cm = rule(role.getRules(), "configmaps");
    assertThat(cm.getResourceNames())
        .containsExactly(OperatorConfig.defaults(NAMESPACE).settingsConfigMap());
    assertThat(cm.getVerbs()).containsExactlyInAnyOrder("get", "list", "watch");
    List<PolicyRule> leases =
        role.getRules().stream().filter(r -> r.getResources().contains("leases")).toList();
    assertThat(leases)
        .allSatisfy(r -> assertThat(r.getApiGroups()).containsExactly("coordination.k8s.io"));
    // JOSDK's LeaderElectionManager checks for create, update and get on leases before it starts;
    // fabric8's LeaseLock renews with a patch (OperatorFaultsKubeIT: a leader that cannot renew
    // exits after renewDeadline)
    Set<String> verbs =
        leases.stream()
            .filter(
                r ->
                    r.getResourceNames() == null
                        || r.getResourceNames().isEmpty()
                        || r.getResourceNames().contains(QuotientOperator.LEASE_NAME))
            .flatMap(r -> r.getVerbs().stream())
            .collect(Collectors.toSet());
    assertThat(verbs).containsExactlyInAnyOrder("create", "get", "update", "patch");
  }

  @Test
  void settingsConfigMapParsesIntoTheDefaultsAndNamesEverySetting() {
    ConfigMap cm = Manifests.one(objects, "ConfigMap", "quotient-settings", ConfigMap.class);
    assertThat(cm.getData()).containsOnlyKeys(SettingsParser.YAML_KEY);
    Settings parsed = SettingsParser.parse(cm.getData());
    assertThat(parsed).isEqualTo(Settings.defaults());
    assertThat(flatKeys(cm.getData().get(SettingsParser.YAML_KEY)))
        .as("operator/settings-configmap.yaml shows every setting with its default")
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(SettingKey.values()).map(SettingKey::key).toList());
  }

  @Test
  void deploymentRunsTheOperatorRestrictedWithLeaderElectionAndProbes() {
    Deployment d = Manifests.one(objects, "Deployment", "quotient-operator", Deployment.class);
    var pod = d.getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    assertThat(pod.getContainers()).hasSize(1);
    assertThat(c.getArgs()).containsExactly("run");
    assertThat(c.getImage()).matches("ghcr\\.io/quotient-dev/quotient:[0-9][^:]*");
    assertThat(env(c, "POD_NAME").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
    assertThat(env(c, "QUOTIENT_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(env(c, "QUOTIENT_LEADER_ELECTION").getValue()).isNotEqualToIgnoringCase("false");
    int port = Integer.parseInt(env(c, "QUOTIENT_METRICS_PORT").getValue());
    assertThat(c.getPorts())
        .anySatisfy(
            p -> {
              assertThat(p.getContainerPort()).isEqualTo(port);
              assertThat(p.getName()).isEqualTo("metrics");
            });
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    for (Probe probe : List.of(c.getLivenessProbe(), c.getReadinessProbe())) {
      assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
    }
    // Two replicas (leader and warm standby), rolled one at a time, one kept through a drain.
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(d.getSpec().getStrategy()).isNull();
    PodDisruptionBudget pdb =
        Manifests.one(
            objects, "PodDisruptionBudget", "quotient-operator", PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(d.getSpec().getSelector().getMatchLabels());
    // Pod Security Standards, restricted
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(c.getResources().getLimits()).containsKeys("memory");
  }

  @Test
  void theProbedPathsAreServedByTheMetricsServer() throws Exception {
    try (MetricsServer server = new MetricsServer("127.0.0.1", 0, new LeaseLedger())) {
      for (String path : List.of("/healthz", "/readyz")) {
        HttpResponse<String> r =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void dockerfileRunsTheShadedJarAsNonRoot() {
    String dockerfile = Manifests.read(Path.of("Dockerfile"));
    assertThat(dockerfile)
        .contains("FROM eclipse-temurin:17-jre")
        .contains("COPY target/quotient.jar");
    assertThat(dockerfile.lines().filter(l -> l.startsWith("USER ")).toList())
        .singleElement()
        .satisfies(l -> assertThat(l).matches("USER [1-9][0-9]*(:[0-9]+)?"));
  }

  /**
   * Cross-check of {@link Manifests#build} against the real kustomize, with the kubectl that
   * hack/kube/build.sh builds (the test command builds it first; missing, it fails naming the
   * command).
   */
  @Test
  void kubectlKustomizeYieldsTheSameObjectsWithClusterScopedPoliciesUnnamespaced() {
    String kubectl = dev.quotient.local.KubeBinaries.locate().path("kubectl").toString();
    List<GenericKubernetesResource> real =
        Manifests.objects(Manifests.run(List.of(kubectl, "kustomize", OPERATOR.toString())));
    assertThat(real.stream().map(Manifests::key).toList())
        .containsExactlyInAnyOrderElementsOf(objects.stream().map(Manifests::key).toList());
    assertThat(real)
        .allSatisfy(
            o ->
                assertThat(o.getMetadata().getLabels())
                    .containsEntry("app.kubernetes.io/name", "quotient"));
  }

  static PolicyRule rule(List<PolicyRule> rules, String resource) {
    List<PolicyRule> found =
        rules.stream().filter(r -> r.getResources().contains(resource)).toList();
    assertThat(found).as("rules for " + resource).hasSize(1);
    return found.get(0);
  }

  private static EnvVar env(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("env " + name + " missing"));
  }

  /**
   * Dotted keys of a nested settings document; maps under a known setting (label maps) count as
   * one.
   */
  static List<String> flatKeys(String yaml) {
    Set<String> known =
        Arrays.stream(SettingKey.values()).map(SettingKey::key).collect(Collectors.toSet());
    List<String> out = new ArrayList<>();
    walk("", Manifests.documents(yaml).get(0), known, out);
    return out;
  }

  private static void walk(String prefix, JsonNode node, Set<String> known, List<String> out) {
    node.fields()
        .forEachRemaining(
            e -> {
              String key = prefix + e.getKey();
              if (e.getValue().isObject() && !known.contains(key)) {
                walk(key + ".", e.getValue(), known, out);
              } else {
                out.add(key);
              }
            });
  }
}
