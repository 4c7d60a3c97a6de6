package dev.quotient.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/**
 * What the API server may hold and this operator does not know (a newer CRD's enum value, a new
 * field) reads without failing: one such object must not stop the informer for all of its kind.
 */
class LenientReadingTest {
  private final KubernetesSerialization json = new KubernetesSerialization();

  @Test
  void aProjectFromANewerCrdReadsWithItsUnknownValuesKept() {
    Project p =
        json.unmarshal(
            """
            {"apiVersion": "quotient.dev/v1alpha1", "kind": "Project", "futureTop": 1,
             "metadata": {"name": "p", "namespace": "ns"},
             "spec": {"desiredState": "Sleeping", "licenses": ["a"], "futureField": {"x": 1},
                      "adminQuota": {"cpu": "2", "futureLimit": 3}},
             "status": {"phase": "Hibernating", "stopReason": "Foo", "futureStatus": 2,
                        "licenses": [{"name": "a", "state": "Bar", "y": 1}],
                        "effectiveQuota": {"cpuLimit": "1", "z": 0}}}""",
            Project.class);
    assertThat(p.getSpec().getDesiredState()).isNull();
    assertThat(p.getSpec().getUnknownDesiredState()).isEqualTo("Sleeping");
    assertThat(p.getSpec().getLicenses()).containsExactly("a");
    assertThat(p.getSpec().getAdminQuota().getCpu()).isEqualTo("2");
    assertThat(p.getStatus().getPhase()).isNull();
    assertThat(p.getStatus().getStopReason()).isNull();
    assertThat(p.getStatus().getLicenses().get(0).getState()).isNull();
    assertThat(p.getStatus().getEffectiveQuota().getCpuLimit()).isEqualTo("1");
    // written back as read (a copy through JSON keeps it), never as a field of its own
    assertThat(json.asJson(p.getSpec()))
        .contains("\"desiredState\":\"Sleeping\"")
        .doesNotContain("unknownDesiredState");
    assertThat(json.clone(p).getSpec().getUnknownDesiredState()).isEqualTo("Sleeping");
  }

  @Test
  void anUnknownLifetimeIsKeptAndWrittenBackAsRead() {
    Project p =
        json.unmarshal(
            """
            {"apiVersion": "quotient.dev/v1alpha1", "kind": "Project",
             "metadata": {"name": "p"}, "spec": {"lifetime": "Scheduled", "command": ["a"]},
             "status": {"phase": "Succeeded", "exitCode": 3, "stopReason": "Finished"}}""",
            Project.class);
    assertThat(p.getSpec().getLifetime()).isNull();
    assertThat(p.getSpec().getUnknownLifetime()).isEqualTo("Scheduled");
    assertThat(p.getSpec().isEphemeral()).isFalse();
    assertThat(p.getStatus().getPhase()).isEqualTo(ProjectPhase.Succeeded);
    assertThat(p.getStatus().getExitCode()).isEqualTo(3);
    assertThat(json.asJson(p.getSpec()))
        .contains("\"lifetime\":\"Scheduled\"")
        .doesNotContain("unknownLifetime");
    assertThat(json.clone(p).getSpec().getUnknownLifetime()).isEqualTo("Scheduled");
    assertThat(json.unmarshal("{\"lifetime\": \"Ephemeral\"}", ProjectSpec.class).isEphemeral())
        .isTrue();
  }

  @Test
  void knownValuesReadAsBefore() {
    Project p =
        json.unmarshal(
            """
            {"apiVersion": "quotient.dev/v1alpha1", "kind": "Project",
             "metadata": {"name": "p"}, "spec": {"desiredState": "Stopped"},
             "status": {"phase": "Stopped", "stopReason": "UserStopped"}}""",
            Project.class);
    assertThat(p.getSpec().getDesiredState()).isEqualTo(DesiredState.Stopped);
    assertThat(p.getSpec().getUnknownDesiredState()).isNull();
    assertThat(p.getStatus().getStopReason()).isEqualTo(StopReason.UserStopped);
    assertThat(json.asJson(p.getSpec())).isEqualTo("{\"desiredState\":\"Stopped\"}");
  }

  @Test
  void aLicenseAndADedicatedNodeGroupFromANewerCrdRead() {
    License l =
        json.unmarshal(
            """
            {"apiVersion": "quotient.dev/v1alpha1", "kind": "License", "metadata": {"name": "l"},
             "spec": {"runLimit": 2, "futureField": true, "quota": {"cpu": "2", "gpu": {"count": 1, "vendorX": 1}}},
             "status": {"phase": "Retired", "runningProjects": {"count": 1, "w": 1}}}""",
            License.class);
    assertThat(l.getSpec().getRunLimit()).isEqualTo(2);
    assertThat(l.getStatus().getPhase()).isNull();
    DedicatedNodeGroup g =
        json.unmarshal(
            """
            {"apiVersion": "quotient.dev/v1alpha1", "kind": "DedicatedNodeGroup",
             "metadata": {"name": "g"}, "spec": {"nodeNames": ["n1"], "futureField": "x"},
             "status": {"nodeCount": 1, "capacity": {"cpu": "4", "q": 1}, "more": []}}""",
            DedicatedNodeGroup.class);
    assertThat(g.getSpec().getNodeNames()).containsExactly("n1");
  }

  @Test
  void aSpecWithAFieldOfTheWrongTypeReadsAsUnreadableNamingIt() {
    Project p =
        json.unmarshal(
            """
            {"apiVersion": "quotient.dev/v1alpha1", "kind": "Project",
             "metadata": {"name": "p", "namespace": "ns"},
             "spec": {"desiredState": "Running", "licenses": "basic-upgrade"},
             "status": {"phase": "Running"}}""",
            Project.class);
    assertThat(p.getSpec().problem())
        .isEqualTo("spec.licenses is \"basic-upgrade\" (text) where a list belongs");
    assertThat(p.getSpec().getLicenses()).isNull();
    assertThat(p.getSpec().getDesiredState()).isNull();
    assertThat(p.getStatus().getPhase()).isEqualTo(ProjectPhase.Running);

    License l =
        json.unmarshal(
            """
            {"apiVersion": "quotient.dev/v1alpha1", "kind": "License", "metadata": {"name": "l"},
             "spec": {"runLimit": "lots", "quota": {"cpu": "2"}}}""",
            License.class);
    assertThat(l.getSpec().problem())
        .isEqualTo("spec.runLimit is \"lots\" (text) where a whole number belongs");
    DedicatedNodeGroup g =
        json.unmarshal(
            """
            {"apiVersion": "quotient.dev/v1alpha1", "kind": "DedicatedNodeGroup",
             "metadata": {"name": "g"}, "spec": {"nodeNames": [{"name": "n"}]}}""",
            DedicatedNodeGroup.class);
    assertThat(g.getSpec().problem())
        .isEqualTo("spec.nodeNames[0] is {\"name\":\"n\"} (an object) where text belongs");
    Project text =
        json.unmarshal(
            """
            {"apiVersion": "quotient.dev/v1alpha1", "kind": "Project",
             "metadata": {"name": "p"}, "spec": "run it please"}""",
            Project.class);
    assertThat(text.getSpec().problem())
        .isEqualTo("spec is \"run it please\" (text) where an object belongs");
  }

  @Test
  void aReadableSpecIsWrittenAsUsual() {
    Project p =
        json.unmarshal(
            """
            {"apiVersion": "quotient.dev/v1alpha1", "kind": "Project",
             "metadata": {"name": "p"}, "spec": {"licenses": ["a"], "futureField": 1}}""",
            Project.class);
    assertThat(p.getSpec().problem()).isNull();
    assertThat(json.asJson(p.getSpec())).isEqualTo("{\"licenses\":[\"a\"]}");
    assertThat(json.asJson(p)).contains("\"spec\":{\"licenses\":[\"a\"]}");
  }
}
