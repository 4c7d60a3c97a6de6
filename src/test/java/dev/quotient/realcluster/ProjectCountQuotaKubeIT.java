package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.admin;
import static dev.quotient.realcluster.RealCluster.awaitPhase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A standard object-count ResourceQuota caps how many Projects a namespace holds: the API server
 * (not the operator) refuses the one too many, and the Projects within the count run as usual.
 */
class ProjectCountQuotaKubeIT {
  private static final String COUNT = "count/projects.quotient.dev";

  private static void createProject(String ns, String name) {
    admin()
        .resource(
            """
        apiVersion: quotient.dev/v1alpha1
        kind: Project
        metadata: {name: %s, namespace: %s}
        spec: {desiredState: Running}
        """
                .formatted(name, ns))
        .create();
  }

  @Test
  void aThirdProjectIsRefusedWhenTheNamespaceQuotaCountsTwo() {
    String ns = RealCluster.namespace("count-quota");
    admin()
        .resource(
            """
        apiVersion: v1
        kind: ResourceQuota
        metadata: {name: projects, namespace: %s}
        spec:
          hard: {%s: "2"}
        """
                .formatted(ns, COUNT))
        .create();
    // Enforced once the quota controller has counted the namespace's Projects into the quota's
    // status.used (until then the API server refuses every Project there: "status unknown for
    // quota").
    await()
        .atMost(RealCluster.TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              ResourceQuota q = admin().resourceQuotas().inNamespace(ns).withName("projects").get();
              return q.getStatus() != null
                  && q.getStatus().getUsed() != null
                  && q.getStatus().getUsed().containsKey(COUNT);
            });

    createProject(ns, "first");
    createProject(ns, "second");
    KubernetesClientException refused =
        catchThrowableOfType(KubernetesClientException.class, () -> createProject(ns, "third"));

    assertThat(refused).as("the third Project is refused").isNotNull();
    assertThat(refused.getCode()).isEqualTo(403);
    assertThat(refused.getStatus().getReason()).isEqualTo("Forbidden");
    assertThat(refused.getStatus().getMessage())
        .contains("projects.quotient.dev \"third\" is forbidden")
        .contains("exceeded quota: projects")
        .contains("requested: " + COUNT + "=1")
        .contains("used: " + COUNT + "=2")
        .contains("limited: " + COUNT + "=2");
    assertThat(admin().resources(Project.class).inNamespace(ns).withName("third").get()).isNull();
    assertThat(
            admin()
                .resourceQuotas()
                .inNamespace(ns)
                .withName("projects")
                .get()
                .getStatus()
                .getUsed())
        .containsEntry(COUNT, new Quantity("2"));

    // The quota counts objects, not what runs: the two Projects within it start as usual.
    awaitPhase(ns, "first", ProjectPhase.Running);
    awaitPhase(ns, "second", ProjectPhase.Running);
  }
}
