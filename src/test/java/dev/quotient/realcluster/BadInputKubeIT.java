package dev.quotient.realcluster;

import static dev.quotient.realcluster.RealCluster.admin;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quotient.api.DesiredState;
import dev.quotient.api.ProjectPhase;
import dev.quotient.local.LocalCluster;
import dev.quotient.testing.BadInput;
import dev.quotient.testing.BadInputDriver;
import dev.quotient.testing.TestResources;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The bad-input corpus on the real control plane: each case is either refused by the API server
 * (schema, CEL: the table's message) or stored and answered by the operator with the table's
 * condition and an Event; meanwhile a control project keeps being served.
 */
class BadInputKubeIT {

  @Test
  void everyCaseIsRefusedWithItsMessageOrAnsweredAndTheControlProjectsAreServed() {
    String ns = RealCluster.namespace("bad-input");
    RealCluster.create(TestResources.project(ns, "steady"));
    RealCluster.awaitPhase(ns, "steady", ProjectPhase.Running);

    BadInputDriver driver =
        new BadInputDriver(admin(), ns, LocalCluster.NAMESPACE, LocalCluster.SETTINGS_CONFIG_MAP);
    try {
      Map<String, BadInput.Outcome.Answered> answers = new LinkedHashMap<>();
      Map<String, String> wrongRefusals = new LinkedHashMap<>();
      for (BadInput.Case c : BadInput.CASES) {
        if (c.settings()) {
          continue;
        }
        KubernetesClientException refusal = driver.apply(c);
        if (c.real() instanceof BadInput.Outcome.Refused r) {
          if (refusal == null
              || refusal.getCode() != r.code()
              || !refusal.getStatus().getMessage().contains(r.message())) {
            wrongRefusals.put(
                c.file(),
                refusal == null
                    ? "accepted"
                    : refusal.getCode() + " " + refusal.getStatus().getMessage());
          }
        } else if (refusal != null) {
          wrongRefusals.put(
              c.file(), "refused: " + refusal.getCode() + " " + refusal.getStatus().getMessage());
        } else {
          answers.put(c.file(), (BadInput.Outcome.Answered) c.real());
        }
      }
      assertThat(wrongRefusals)
          .as("cases the API server did not treat as the table says")
          .isEmpty();
      // Settings cases one after the other: each is a change of the one ConfigMap.
      for (BadInput.Case c : BadInput.CASES) {
        if (c.settings()) {
          assertThat(driver.apply(c)).as(c.file()).isNull();
          driver.awaitAnswers(Map.of(c.file(), (BadInput.Outcome.Answered) c.real()));
        }
      }
      driver.restoreSettings();
      driver.awaitAnswers(answers);

      // Served throughout: a new project starts, a running one stops when asked.
      RealCluster.create(TestResources.project(ns, "control"));
      RealCluster.awaitPhase(ns, "control", ProjectPhase.Running);
      for (String name : new String[] {"steady", "control"}) {
        RealCluster.editProject(
            ns,
            name,
            p -> {
              p.getSpec().setDesiredState(DesiredState.Stopped);
              return p;
            });
        RealCluster.awaitPhase(ns, name, ProjectPhase.Stopped);
      }
      assertThat(RealCluster.get().operator().health().liveness().ok()).isTrue();
    } finally {
      driver.restoreSettings();
      admin().namespaces().withName(ns).delete();
      driver.cleanUp();
    }
  }
}
