package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.quotient.admission.ProjectKey;
import dev.quotient.api.ProjectPhase;
import dev.quotient.local.LocalCluster;
import dev.quotient.testing.TestResources;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The lease ledger is rebuilt from pod labels, so whoever could write them could fake or erase
 * admissions. On the real API server a user with every right on pods cannot create a pod with
 * {@code quotient.dev/} labels (the shipped ValidatingAdmissionPolicy), and after an operator
 * restart a pod that carries them but belongs to no Project holds no lease.
 */
class ForgedLeaseKubeIT {
  private static String ns;
  private static KubernetesClient alice;

  @BeforeAll
  static void aUserWhoMayCreatePods() {
    ns = RealCluster.namespace("forged");
    admin()
        .resource(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: pod-editor, namespace: %s}
            rules:
            - apiGroups: [""]
              resources: [pods]
              verbs: [get, list, watch, create, update, patch, delete]
            """
                .formatted(ns))
        .create();
    admin()
        .resource(
            """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: pod-editors, namespace: %s}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-editor}
            subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]
            """
                .formatted(ns))
        .create();
    alice = RealCluster.get().impersonating("alice", "students");
  }

  @AfterAll
  static void cleanUp() {
    alice.close();
    admin().namespaces().withName(ns).delete();
  }

  /** A pod carrying the labels of a 64-core lease; owned by Project {@code name} if uid is set. */
  private static String forgedPod(String name, String ownerUid) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: project-%1$s
          namespace: %2$s
          labels:
            app.kubernetes.io/managed-by: quotient
            quotient.dev/project: %1$s
            quotient.dev/cpu-millis: "64000"
            quotient.dev/memory-bytes: "1073741824"
            quotient.dev/gpu: "0"
          annotations: {quotient.dev/licenses: ""}
        %3$s
        spec:
          containers:
          - name: main
            image: registry.k8s.io/pause:3.10
            resources: {requests: {cpu: 10m, memory: 16Mi}}
        """
        .formatted(
            name,
            ns,
            ownerUid == null
                ? ""
                : "  ownerReferences: [{apiVersion: quotient.dev/v1alpha1, kind: Project, name: "
                    + name
                    + ", uid: "
                    + ownerUid
                    + ", controller: true}]");
  }

  @Test
  void aUserCannotCreateAPodWithLedgerLabels() {
    KubernetesClientException e =
        catchThrowableOfType(
            KubernetesClientException.class,
            () -> alice.resource(forgedPod("mine", null)).create());
    assertThat(e).as("alice's forged pod was admitted").isNotNull();
    assertThat(e.getCode()).isEqualTo(403);
    assertThat(e.getStatus().getMessage())
        .contains("ValidatingAdmissionPolicy 'quotient-pod-ledger-labels'")
        .contains("alice tried to change quotient.dev/");
    assertThat(admin().pods().inNamespace(ns).withName("project-mine").get()).isNull();
    // one label is enough, and so is an annotation
    for (String meta :
        new String[] {
          "labels: {quotient.dev/cpu-millis: \"1\"}", "annotations: {quotient.dev/licenses: x}"
        }) {
      KubernetesClientException one =
          catchThrowableOfType(
              KubernetesClientException.class,
              () ->
                  alice
                      .resource(
                          """
                          apiVersion: v1
                          kind: Pod
                          metadata:
                            name: sneaky
                            namespace: %s
                            %s
                          spec:
                            containers: [{name: main, image: registry.k8s.io/pause:3.10}]
                          """
                              .formatted(ns, meta))
                      .create());
      assertThat(one).as(meta).isNotNull();
      assertThat(one.getCode()).as(meta).isEqualTo(403);
    }
    // her own pods without them are hers to create
    alice
        .resource(
            forgedPod("plain", null).replaceAll("(?m)^\\s+(quotient\\.dev/.*|annotations.*)$", ""))
        .dryRun()
        .create();
  }

  @Test
  void afterARestartAPodThatBelongsToNoProjectHoldsNoLease() {
    // A cluster quota with room for one more default project (100m) but not for a forged lease.
    long used = RealCluster.get().operator().ledger().total().cpuMillis();
    long quota = used + 1500;
    RealCluster.editSettings(
        Map.of("clusterQuota.cpu", quota + "m"),
        s -> Objects.equals(s.clusterQuota().cpuMillis(), quota));
    try {
      // Only the operator's ServiceAccount may write these labels: an admin acting as it (or one
      // who lifted the policy) is the only way such pods appear.
      try (KubernetesClient asOperator =
          RealCluster.get()
              .impersonating(
                  LocalCluster.operatorUser(),
                  "system:serviceaccounts",
                  "system:serviceaccounts:" + LocalCluster.NAMESPACE,
                  "system:authenticated")) {
        RealCluster.get()
            .restartOperator(
                () -> {
                  asOperator.resource(forgedPod("ghost", null)).create();
                  asOperator
                      .resource(forgedPod("phantom", "00000000-dead-beef-0000-000000000000"))
                      .create();
                });
      }
      RealCluster.create(TestResources.project(ns, "newcomer"));
      RealCluster.awaitPhase(ns, "newcomer", ProjectPhase.Running);
      assertThat(admin().v1().events().inNamespace(ns).list().getItems())
          .filteredOn(e -> "newcomer".equals(e.getInvolvedObject().getName()))
          .noneMatch(
              e -> "QuotaRejected".equals(e.getReason()) || "NeverFits".equals(e.getReason()));
      var ledger = RealCluster.get().operator().ledger();
      assertThat(ledger.lease(new ProjectKey(ns, "ghost"))).isEmpty();
      assertThat(ledger.lease(new ProjectKey(ns, "phantom"))).isEmpty();
      assertThat(ledger.lease(new ProjectKey(ns, "newcomer"))).isPresent();
    } finally {
      RealCluster.editSettings(
          Collections.singletonMap("clusterQuota.cpu", null),
          s -> s.clusterQuota().cpuMillis() == null);
    }
  }
}
