package dev.quotient.controller;

import static dev.quotient.testing.TestResources.project;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.DesiredState;
import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.status.Conditions;
import dev.quotient.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Objects this operator cannot fully understand (a newer CRD's enum values, fields it does not
 * know), of each kind: the mock stores them as written (it validates nothing), and the operator
 * keeps serving everyone else; a Project whose desiredState it does not know says so.
 */
class UnreadableObjectsIT {
  private static final String API = "quotient.dev/v1alpha1";
  private static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = MockCluster.start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** Writes the object exactly as given, unknown fields and values included. */
  private static void createRaw(String kind, String json) {
    GenericKubernetesResource raw =
        new KubernetesSerialization().unmarshal(json, GenericKubernetesResource.class);
    var api = cluster.client().genericKubernetesResources(API, kind);
    if (raw.getMetadata().getNamespace() != null) {
      api.inNamespace(raw.getMetadata().getNamespace()).resource(raw).create();
    } else {
      api.resource(raw).create();
    }
  }

  @Test
  void projectsLicensesAndNodeGroupsFromANewerCrdStopNobody() {
    String ns = cluster.namespace("newer");
    cluster.create(project(ns, "steady"));
    cluster.awaitPhase(ns, "steady", ProjectPhase.Running);

    createRaw(
        "Project",
        """
        {"apiVersion": "%s", "kind": "Project", "metadata": {"name": "sleepy", "namespace": "%s"},
         "spec": {"desiredState": "Sleeping", "sleepSchedule": {"after": "1h"}}}"""
            .formatted(API, ns));
    createRaw(
        "Project",
        """
        {"apiVersion": "%s", "kind": "Project", "metadata": {"name": "migrated", "namespace": "%s"},
         "spec": {"desiredState": "Running", "licenses": ["future-license"]},
         "status": {"phase": "Hibernating", "stopReason": "Foo", "futureStatus": {"a": 1}}}"""
            .formatted(API, ns));
    createRaw(
        "License",
        """
        {"apiVersion": "%s", "kind": "License", "metadata": {"name": "future-license"},
         "spec": {"runLimit": 5, "quota": {"cpu": "2", "burstCpu": "4"}, "billingCode": "x"},
         "status": {"phase": "Retired", "futureCounter": 3}}"""
            .formatted(API));
    createRaw(
        "DedicatedNodeGroup",
        """
        {"apiVersion": "%s", "kind": "DedicatedNodeGroup", "metadata": {"name": "future-group"},
         "spec": {"nodeNames": ["no-such-node"], "autoscale": {"max": 3}},
         "status": {"nodeCount": 0, "futureField": true}}"""
            .formatted(API));

    // a good project still starts, a running one still stops
    cluster.create(project(ns, "fresh"));
    cluster.awaitPhase(ns, "fresh", ProjectPhase.Running);
    cluster.setDesiredState(ns, "steady", DesiredState.Stopped);
    cluster.awaitPhase(ns, "steady", ProjectPhase.Stopped);

    // the project with an old status and a newer License runs with that License's quota
    Project migrated =
        cluster.awaitProject(
            ns,
            "migrated",
            p ->
                p.getStatus() != null
                    && p.getStatus().getPhase() == ProjectPhase.Running
                    && p.getStatus().getEffectiveQuota() != null
                    && "2".equals(p.getStatus().getEffectiveQuota().getCpuLimit()));
    assertThat(migrated.getStatus().getStopReason()).isNull();

    // the one whose desiredState it does not know is neither started nor crashed on
    Project sleepy =
        cluster.awaitProject(
            ns,
            "sleepy",
            p ->
                p.getStatus() != null
                    && p.getStatus().getConditions() != null
                    && "SpecInvalid"
                        .equals(
                            Conditions.find(p.getStatus().getConditions(), "Ready").getReason()));
    assertThat(sleepy.getStatus().getPhase()).isEqualTo(ProjectPhase.Stopped);
    assertThat(sleepy.getStatus().getMessage())
        .contains("spec.desiredState 'Sleeping' is not one this operator knows (Running, Stopped)");
    Condition ready = Conditions.find(sleepy.getStatus().getConditions(), "Ready");
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(cluster.pod(ns, "sleepy")).isNull();
    assertThat(cluster.events(ns, "sleepy"))
        .filteredOn(e -> "SpecInvalid".equals(e.getReason()))
        .singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
    // the operator never rewrote the user's spec
    GenericKubernetesResource stored =
        cluster
            .client()
            .genericKubernetesResources(API, "Project")
            .inNamespace(ns)
            .withName("sleepy")
            .get();
    assertThat(stored.get("spec", "desiredState").toString()).isEqualTo("Sleeping");
    assertThat((Object) stored.get("spec", "sleepSchedule")).isNotNull();

    // the License and the group were reconciled too (their status is written)
    cluster
        .client()
        .resources(dev.quotient.api.License.class)
        .withName("future-license")
        .waitUntilCondition(
            l -> l.getStatus() != null && l.getStatus().getPhase() != null,
            MockCluster.TIMEOUT.toSeconds(),
            java.util.concurrent.TimeUnit.SECONDS);
  }
}
