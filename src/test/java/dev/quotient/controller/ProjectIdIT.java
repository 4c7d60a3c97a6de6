package dev.quotient.controller;

import static dev.quotient.testing.TestResources.project;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.Project;
import dev.quotient.api.ProjectPhase;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.status.Conditions;
import dev.quotient.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two Projects naming one home directory (spec.projectId): the mock admits both (it enforces no
 * admission policy), the operator starts only the one that owns the home.
 */
class ProjectIdIT {
  private static MockCluster cluster;

  @BeforeAll
  static void start() {
    Map<String, String> settings = new HashMap<>(EmbeddedRun.SETTINGS);
    // the blocked project looks again at this interval: the owner's deletion wakes nothing
    settings.put("idleCheckInterval", "1s");
    cluster = MockCluster.start(settings);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void theSecondProjectOnAHomeInUseStaysStoppedUntilTheOwnerGoes() {
    String ns = cluster.namespace("homes");
    cluster.create(project(ns, "owner", s -> s.setProjectId("shared-home")));
    cluster.awaitPhase(ns, "owner", ProjectPhase.Running);
    String other = cluster.namespace("homes");
    cluster.create(project(other, "second", s -> s.setProjectId("shared-home")));

    Project second =
        cluster.awaitProject(
            other,
            "second",
            p ->
                p.getStatus() != null
                    && p.getStatus().getConditions() != null
                    && "ProjectIdInUse"
                        .equals(
                            Conditions.find(p.getStatus().getConditions(), "Ready").getReason()));
    assertThat(second.getStatus().getPhase()).isEqualTo(ProjectPhase.Stopped);
    assertThat(second.getStatus().getPodName()).isNull();
    assertThat(second.getStatus().getMessage())
        .contains("projectId 'shared-home' is the home of project " + ns + "/owner");
    Condition ready = Conditions.find(second.getStatus().getConditions(), "Ready");
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(cluster.pod(other, "second")).isNull();
    assertThat(cluster.events(other, "second"))
        .filteredOn(e -> "ProjectIdInUse".equals(e.getReason()))
        .singleElement()
        .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
    // the owner is not disturbed
    assertThat(cluster.project(ns, "owner").getStatus().getPhase()).isEqualTo(ProjectPhase.Running);

    cluster.client().resource(cluster.project(ns, "owner")).delete();
    cluster.awaitPhase(other, "second", ProjectPhase.Running);
  }

  @Test
  void aProjectIdEqualToAnotherProjectsUidIsThatProjectsHome() {
    String ns = cluster.namespace("uid");
    cluster.create(project(ns, "original"));
    Project original = cluster.awaitPhase(ns, "original", ProjectPhase.Running);
    cluster.create(project(ns, "copy", s -> s.setProjectId(original.getMetadata().getUid())));
    cluster.awaitPhase(ns, "copy", ProjectPhase.Stopped);
    assertThat(cluster.hasEvent(ns, "copy", "ProjectIdInUse")).isTrue();
  }
}
