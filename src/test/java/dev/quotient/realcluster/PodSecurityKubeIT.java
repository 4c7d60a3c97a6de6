package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.status.Conditions;
import dev.quotient.testing.TestResources;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Projects in a namespace that enforces the restricted Pod Security Standard (the API server's own
 * PodSecurity admission): with {@code allowPrivilegedPatches: false}, no License pod patch gets a
 * project pod refused there. Patches that keep the profile apply; the operator leaves out every one
 * that would break it, with a condition and an Event, and the pod runs (on a kwok node).
 */
class PodSecurityKubeIT {
  private static final String RESTRICTED = "pod-security.kubernetes.io/enforce";
  private static String ns;
  private static final List<String> licenses = new ArrayList<>();

  /** Patches that keep the restricted profile: they apply. */
  private static final Map<String, String> SAFE =
      Map.of(
          "env-and-volume",
          """
          metadata:
            annotations: {team: physics}
          spec:
            volumes:
            - {name: scratch, emptyDir: {}}
            containers:
            - name: project
              env: [{name: COURSE, value: physics-101}]
              volumeMounts: [{name: scratch, mountPath: /scratch}]
          """,
          "sidecar-and-init",
          """
          spec:
            initContainers:
            - name: fetch
              image: quay.io/jupyter/base-notebook:latest
              command: [sh, -c, "true"]
              securityContext:
                allowPrivilegeEscalation: false
                capabilities: {drop: [ALL]}
            containers:
            - name: helper
              image: quay.io/jupyter/base-notebook:latest
              securityContext:
                allowPrivilegeEscalation: false
                capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
          """);

  /** Patches that break the restricted (or even the baseline) profile: each is left out. */
  private static final Map<String, String> UNSAFE = new LinkedHashMap<>();

  static {
    UNSAFE.put(
        "root",
        "spec: {containers: [{name: project, securityContext: {runAsUser: 0, runAsNonRoot: false}}]}");
    UNSAFE.put(
        "privileged", "spec: {containers: [{name: project, securityContext: {privileged: true}}]}");
    UNSAFE.put(
        "escalation",
        "spec: {containers: [{name: project, securityContext: {allowPrivilegeEscalation: true}}]}");
    UNSAFE.put(
        "capabilities",
        "spec: {containers: [{name: project, securityContext: {capabilities: {add: [SYS_ADMIN]}}}]}");
    UNSAFE.put("host-network", "spec: {hostNetwork: true}");
    UNSAFE.put("host-pid", "spec: {hostPID: true}");
    UNSAFE.put(
        "host-path",
        """
        spec:
          volumes: [{name: host, hostPath: {path: /}}]
          containers: [{name: project, volumeMounts: [{name: host, mountPath: /host}]}]
        """);
    UNSAFE.put(
        "host-port",
        "spec: {containers: [{name: project, ports: [{containerPort: 8888, hostPort: 8888}]}]}");
    UNSAFE.put(
        "seccomp-unconfined", "spec: {securityContext: {seccompProfile: {type: Unconfined}}}");
    UNSAFE.put(
        "unsafe-sysctl",
        "spec: {securityContext: {sysctls: [{name: kernel.msgmax, value: \"65536\"}]}}");
    UNSAFE.put(
        "proc-mount",
        "spec: {containers: [{name: project, securityContext: {procMount: Unmasked}}]}");
    UNSAFE.put(
        "selinux-user", "spec: {securityContext: {seLinuxOptions: {user: system_u, type: spc_t}}}");
    UNSAFE.put(
        "apparmor-unconfined",
        "spec: {containers: [{name: project, securityContext: {appArmorProfile: {type: Unconfined}}}]}");
    UNSAFE.put(
        "apparmor-annotation",
        "metadata: {annotations: {container.apparmor.security.beta.kubernetes.io/project: unconfined}}");
  }

  @BeforeAll
  static void restrictedNamespace() {
    assertThat(RealCluster.get().operator().settings().pod().allowPrivilegedPatches())
        .as("allowPrivilegedPatches")
        .isFalse();
    ns = RealCluster.namespace("restricted");
    admin()
        .namespaces()
        .withName(ns)
        .edit(
            n -> {
              n.getMetadata().getLabels().put(RESTRICTED, "restricted");
              n.getMetadata().getLabels().put(RESTRICTED + "-version", "latest");
              return n;
            });
  }

  @AfterAll
  static void cleanUp() {
    admin().namespaces().withName(ns).delete();
    licenses.forEach(l -> admin().resources(dev.quotient.api.License.class).withName(l).delete());
  }

  private static String license(String name, String patch) {
    String unique = RealCluster.unique("pss-" + name);
    admin()
        .resource(
            """
            apiVersion: quotient.dev/v1alpha1
            kind: License
            metadata: {name: %s}
            spec:
              runLimit: 5
              podPatch:
            %s
            """
                .formatted(unique, patch.indent(4)))
        .create();
    licenses.add(unique);
    return unique;
  }

  @Test
  void theNamespaceEnforcesRestricted() {
    KubernetesClientException e =
        catchThrowableOfType(
            KubernetesClientException.class,
            () ->
                admin()
                    .resource(
                        """
                        apiVersion: v1
                        kind: Pod
                        metadata: {name: privileged, namespace: %s}
                        spec:
                          containers:
                          - name: main
                            image: registry.k8s.io/pause:3.10
                            securityContext: {privileged: true}
                        """
                            .formatted(ns))
                    .dryRun()
                    .create());
    assertThat(e).as("a privileged pod was admitted").isNotNull();
    assertThat(e.getCode()).isEqualTo(403);
    assertThat(e.getStatus().getMessage()).contains("violates PodSecurity \"restricted:latest\"");
  }

  @Test
  void everyProjectRunsThereWhateverItsLicensesPatch() {
    RealCluster.create(TestResources.project(ns, "plain"));
    Map<String, String> safe = new LinkedHashMap<>();
    SAFE.forEach((name, patch) -> safe.put(name, license(name, patch)));
    Map<String, String> unsafe = new LinkedHashMap<>();
    UNSAFE.forEach((name, patch) -> unsafe.put(name, license(name, patch)));
    safe.forEach((name, lic) -> RealCluster.create(TestResources.project(ns, "safe-" + name, lic)));
    unsafe.forEach(
        (name, lic) -> RealCluster.create(TestResources.project(ns, "unsafe-" + name, lic)));

    List<String> projects = new ArrayList<>(List.of("plain"));
    safe.keySet().forEach(n -> projects.add("safe-" + n));
    unsafe.keySet().forEach(n -> projects.add("unsafe-" + n));
    RealCluster.awaitProjects(
        ns,
        all ->
            all.size() == projects.size()
                && all.stream()
                    .allMatch(
                        p ->
                            p.getStatus() != null
                                && p.getStatus().getPhase() == ProjectPhase.Running));
    for (String name : projects) {
      Pod pod = RealCluster.pod(ns, name);
      assertThat(pod.getStatus().getPhase()).as(name).isEqualTo("Running");
      assertThat(pod.getSpec().getNodeName()).as(name).isNotBlank();
    }
    // the safe patches applied
    assertThat(RealCluster.pod(ns, "safe-env-and-volume").getSpec().getVolumes())
        .anyMatch(v -> v.getName().equals("scratch"));
    assertThat(RealCluster.pod(ns, "safe-sidecar-and-init").getSpec().getContainers())
        .anyMatch(c -> c.getName().equals("helper"));
    for (String name : safe.keySet()) {
      Project p = RealCluster.project(ns, "safe-" + name);
      assertThat(Conditions.find(p.getStatus().getConditions(), "LicensesValid").getStatus())
          .as(name)
          .isEqualTo("True");
    }
    // each unsafe one was left out by the operator, which says why
    for (String name : unsafe.keySet()) {
      Project p = RealCluster.project(ns, "unsafe-" + name);
      Condition c = Conditions.find(p.getStatus().getConditions(), "LicensesValid");
      assertThat(c.getStatus()).as(name).isEqualTo("False");
      assertThat(c.getReason()).as(name).isEqualTo("PodPatchRejected");
      assertThat(c.getMessage())
          .as(name)
          .contains("pod patch of license '" + unsafe.get(name) + "'");
    }
    // and no pod create was ever refused there
    assertThat(admin().v1().events().inNamespace(ns).list().getItems())
        .noneMatch(e -> "PodCreateFailed".equals(e.getReason()))
        .filteredOn(e -> "PodPatchRejected".equals(e.getReason()))
        .hasSize(unsafe.size());
  }
}
