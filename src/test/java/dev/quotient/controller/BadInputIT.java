package dev.quotient.controller;

import static dev.quotient.testing.TestResources.project;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.DesiredState;
import dev.quotient.api.ProjectPhase;
import dev.quotient.embedded.EmbeddedRun;
import dev.quotient.testing.BadInput;
import dev.quotient.testing.BadInputDriver;
import dev.quotient.testing.MockCluster;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bad-input corpus on the mock API server, which validates nothing: every case gets in, and the
 * operator answers each with a condition and an Event (the table's mock column), never a crash;
 * meanwhile a control project keeps being served: one running before the corpus stops when asked, a
 * new one starts after it.
 */
class BadInputIT {
  @Test
  void everyCaseIsAnsweredAndTheControlProjectsAreServed() {
    try (MockCluster cluster = MockCluster.start()) {
      String ns = cluster.namespace("bad-input");
      cluster.create(project(ns, "steady"));
      cluster.awaitPhase(ns, "steady", ProjectPhase.Running);

      BadInputDriver driver =
          new BadInputDriver(cluster.client(), ns, EmbeddedRun.NAMESPACE, "quotient-settings");
      for (BadInput.Case c : BadInput.CASES) {
        if (!c.settings()) {
          assertThat(driver.apply(c)).as(c.file() + ": the mock refused it").isNull();
        }
      }
      // Settings cases one after the other: each is a change of the one ConfigMap.
      for (BadInput.Case c : BadInput.CASES) {
        if (c.settings()) {
          assertThat(driver.apply(c)).as(c.file()).isNull();
          driver.awaitAnswers(Map.of(c.file(), (BadInput.Outcome.Answered) c.mock()));
        }
      }
      driver.restoreSettings();

      Map<String, BadInput.Outcome.Answered> expected = new LinkedHashMap<>();
      BadInput.CASES.stream()
          .filter(c -> !c.settings())
          .forEach(c -> expected.put(c.file(), (BadInput.Outcome.Answered) c.mock()));
      driver.awaitAnswers(expected);

      // The operator never rewrote a spec it could not read.
      var stored =
          cluster
              .client()
              .genericKubernetesResources("quotient.dev/v1alpha1", "Project")
              .inNamespace(ns)
              .withName("bad-licenses-string")
              .get();
      assertThat(stored.get("spec", "licenses").toString()).isEqualTo("basic-upgrade");
      assertThat(
              cluster
                  .client()
                  .genericKubernetesResources("quotient.dev/v1alpha1", "Project")
                  .inNamespace(ns)
                  .withName("bad-spec-string")
                  .get()
                  .get("spec")
                  .toString())
          .isEqualTo("run it please");
      assertThat(cluster.pod(ns, "bad-licenses-string")).isNull();

      // Served throughout: a new project starts, a running one stops when asked.
      cluster.create(project(ns, "control"));
      cluster.awaitPhase(ns, "control", ProjectPhase.Running);
      cluster.setDesiredState(ns, "steady", DesiredState.Stopped);
      cluster.awaitPhase(ns, "steady", ProjectPhase.Stopped);
      cluster.setDesiredState(ns, "control", DesiredState.Stopped);
      cluster.awaitPhase(ns, "control", ProjectPhase.Stopped);
      assertThat(cluster.run().operator().health().liveness().ok()).isTrue();
    }
  }
}
