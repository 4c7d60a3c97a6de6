package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.local.LocalCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two ValidatingAdmissionPolicies of operator/admission-policies.yaml, enforced by the real API
 * server, with users played by impersonation (Impersonate-User/-Group). alice is a user with edit
 * rights on projects and pods in her namespace; bob has the same rights and is in quotient:admins.
 */
class AdmissionPolicyKubeIT {
  private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);
  private static String ns;
  private static KubernetesClient alice;
  private static KubernetesClient bob;

  @BeforeAll
  static void usersWithEditRights() {
    ns = RealCluster.namespace("vap");
    admin()
        .resource(
            """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: workspace-editor, namespace: %1$s}
        rules:
        - apiGroups: [quotient.dev]
          resources: [projects]
          verbs: [get, list, watch, create, update, patch, delete]
        - apiGroups: [""]
          resources: [pods]
          verbs: [get, list, watch, create, update, patch, delete]
        ---
        """
                .formatted(ns))
        .create();
    admin()
        .resource(
            """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: workspace-editors, namespace: %s}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: workspace-editor}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
        - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "quotient:admins"}
        """
                .formatted(ns))
        .create();
    alice = RealCluster.get().impersonating("alice", "students");
    bob = RealCluster.get().impersonating("bob", "quotient:admins");
    // Policies take effect a moment after they are created: wait until one refuses.
    await()
        .atMost(RealCluster.TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () ->
                refusal(
                        () ->
                            alice
                                .resource(pod("probe", "quotient.dev/project: probe"))
                                .dryRun()
                                .create())
                    != null);
  }

  @AfterAll
  static void close() {
    alice.close();
    bob.close();
  }

  private static String project(String name, String adminQuota) {
    return """
        apiVersion: quotient.dev/v1alpha1
        kind: Project
        metadata: {name: %s, namespace: %s}
        spec:
          desiredState: Running
        %s"""
        .formatted(name, ns, adminQuota == null ? "" : "  adminQuota: " + adminQuota + "\n");
  }

  private static String pod(String name, String labels) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          namespace: %s
          labels: {%s}
        spec:
          containers: [{name: main, image: registry.k8s.io/pause:3.10}]
        """
        .formatted(name, ns, labels);
  }

  private static KubernetesClientException refusal(Runnable call) {
    return catchThrowableOfType(KubernetesClientException.class, call::run);
  }

  private static void assertForbidden(KubernetesClientException e, String... messageParts) {
    assertThat(e).as("the request was accepted").isNotNull();
    assertThat(e.getCode()).isEqualTo(403);
    assertThat(e.getStatus().getMessage()).contains(messageParts);
  }

  @Test
  void userCannotSetAdminQuota() {
    KubernetesClientException e =
        refusal(() -> alice.resource(project("greedy", "{cpu: \"8\"}")).create());
    assertForbidden(
        e,
        "ValidatingAdmissionPolicy 'quotient-project-admin-quota'",
        "spec.adminQuota of a Project may only be set by a Quotient admin (groups quotient:admins, system:masters);"
            + " alice is not one");
    assertThat(RealCluster.project(ns, "greedy")).isNull();
  }

  @Test
  void adminSetsAdminQuotaAndTheUserStillManagesTheRestOfHerProject() {
    bob.resource(project("upgraded", "{cpu: \"4\", memory: 8Gi}")).create();
    RealCluster.awaitProject(
        ns,
        "upgraded",
        p ->
            p.getStatus() != null
                && p.getStatus().getEffectiveQuota() != null
                && "4".equals(p.getStatus().getEffectiveQuota().getCpuLimit()));

    // Stopping her project is hers to do, although an admin set its adminQuota.
    alice
        .resources(Project.class)
        .inNamespace(ns)
        .withName("upgraded")
        .patch(MERGE, "{\"spec\":{\"desiredState\":\"Stopped\"}}");
    RealCluster.awaitPhase(ns, "upgraded", ProjectPhase.Stopped);

    assertForbidden(
        refusal(
            () ->
                alice
                    .resources(Project.class)
                    .inNamespace(ns)
                    .withName("upgraded")
                    .patch(MERGE, "{\"spec\":{\"adminQuota\":{\"cpu\":\"16\"}}}")),
        "may only be set, changed or removed by a Quotient admin",
        "alice is not one");
    assertForbidden(
        refusal(
            () ->
                alice
                    .resources(Project.class)
                    .inNamespace(ns)
                    .withName("upgraded")
                    .patch(MERGE, "{\"spec\":{\"adminQuota\":null}}")),
        "may only be set, changed or removed by a Quotient admin");
    assertThat(RealCluster.project(ns, "upgraded").getSpec().getAdminQuota().getCpu())
        .isEqualTo("4");
  }

  private static String projectWithId(String name, String projectId) {
    return """
        apiVersion: quotient.dev/v1alpha1
        kind: Project
        metadata: {name: %s, namespace: %s}
        spec:
          desiredState: Stopped
          projectId: %s
        """
        .formatted(name, ns, projectId);
  }

  @Test
  void onlyAnAdminSetsProjectIdAndNobodyChangesItOnceSet() {
    // alice naming someone else's home directory
    assertForbidden(
        refusal(() -> alice.resource(projectWithId("intruder", "someone-elses-id")).create()),
        "ValidatingAdmissionPolicy 'quotient-project-admin-quota'",
        "spec.projectId of a Project names its home directory and may only be set by a Quotient"
            + " admin (groups quotient:admins, system:masters); alice is not one");
    assertThat(RealCluster.project(ns, "intruder")).isNull();
    alice.resource(project("plain", null)).create();
    assertForbidden(
        refusal(
            () ->
                alice
                    .resources(Project.class)
                    .inNamespace(ns)
                    .withName("plain")
                    .patch(MERGE, "{\"spec\":{\"projectId\":\"someone-elses-id\"}}")),
        "spec.projectId of a Project names its home directory");

    // bob (an admin) sets it, alice still manages the rest of her project
    bob.resource(projectWithId("migrated", "home-from-cocalc")).create();
    alice
        .resources(Project.class)
        .inNamespace(ns)
        .withName("migrated")
        .patch(MERGE, "{\"spec\":{\"licenses\":[]}}");
    // and once set, not even an admin changes or removes it (the CRD's rule: 422)
    for (String patch :
        java.util.List.of(
            "{\"spec\":{\"projectId\":\"another-home\"}}", "{\"spec\":{\"projectId\":null}}")) {
      KubernetesClientException e =
          refusal(
              () ->
                  bob.resources(Project.class)
                      .inNamespace(ns)
                      .withName("migrated")
                      .patch(MERGE, patch));
      assertThat(e).as(patch + " was accepted").isNotNull();
      assertThat(e.getCode()).isEqualTo(422);
      assertThat(e.getStatus().getMessage())
          .contains("spec.projectId is immutable once set: it names the project's home directory");
    }
    assertThat(RealCluster.project(ns, "migrated").getSpec().getProjectId())
        .isEqualTo("home-from-cocalc");
  }

  @Test
  void nobodyButTheOperatorSetsLedgerLabelsOnPods() {
    assertForbidden(
        refusal(
            () -> alice.resource(pod("forged", "quotient.dev/project: forged")).dryRun().create()),
        "ValidatingAdmissionPolicy 'quotient-pod-ledger-labels'",
        "alice tried to change quotient.dev/project");
    // No exception for cluster admins either: the ledger is the operator's alone.
    assertForbidden(
        refusal(
            () ->
                admin().resource(pod("forged", "quotient.dev/project: forged")).dryRun().create()),
        "quotient-admin tried to change quotient.dev/project");
    // Annotations too.
    assertForbidden(
        refusal(
            () ->
                alice
                    .resource(
                        pod("forged", "app: x")
                            .replace(
                                "  labels:",
                                "  annotations: {quotient.dev/start-record: \"{}\"}\n  labels:"))
                    .dryRun()
                    .create()),
        "alice tried to change quotient.dev/start-record");

    // Ordinary pods are not affected; the operator's ServiceAccount may set the labels.
    alice.resource(pod("plain", "app: x")).dryRun().create();
    try (KubernetesClient operator =
        RealCluster.get()
            .impersonating(
                LocalCluster.operatorUser(),
                "system:serviceaccounts",
                "system:serviceaccounts:" + LocalCluster.NAMESPACE,
                "system:authenticated")) {
      operator.resource(pod("by-operator", "quotient.dev/project: by-operator")).dryRun().create();
    }
  }

  @Test
  void userCannotRelabelTheOperatorsPodButMayAddOtherLabels() {
    alice.resource(project("mine", null)).create();
    RealCluster.awaitPhase(ns, "mine", ProjectPhase.Running);
    Pod pod = RealCluster.pod(ns, "mine");
    assertThat(pod.getMetadata().getLabels()).containsKey("quotient.dev/project");

    assertForbidden(
        refusal(
            () ->
                alice
                    .pods()
                    .inNamespace(ns)
                    .withName(pod.getMetadata().getName())
                    .patch(
                        MERGE,
                        "{\"metadata\":{\"labels\":{\"quotient.dev/project\":\"someone-else\"}}}")),
        "alice tried to change quotient.dev/project");
    assertForbidden(
        refusal(
            () ->
                alice
                    .pods()
                    .inNamespace(ns)
                    .withName(pod.getMetadata().getName())
                    .patch(MERGE, "{\"metadata\":{\"labels\":{\"quotient.dev/project\":null}}}")),
        "alice tried to change quotient.dev/project");

    alice
        .pods()
        .inNamespace(ns)
        .withName(pod.getMetadata().getName())
        .patch(MERGE, "{\"metadata\":{\"labels\":{\"team\":\"physics\"}}}");
    assertThat(RealCluster.pod(ns, "mine").getMetadata().getLabels())
        .containsEntry("team", "physics")
        .containsEntry(
            "quotient.dev/project", pod.getMetadata().getLabels().get("quotient.dev/project"));
  }
}
