package dev.quotient;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * Keeps the pure packages pure, the simulation out of the operator, and the two local runs apart.
 */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.quotient");
  private static final String[] PURE = {
    "dev.quotient.quota..",
    "dev.quotient.admission..",
    "dev.quotient.lifecycle..",
    "dev.quotient.pod..",
    "dev.quotient.status..",
    "dev.quotient.settings..",
    "dev.quotient.nodegroup..",
    "dev.quotient.prepull..",
    "dev.quotient.timers.."
  };

  @Test
  void purePackagesUseNoKubernetesClientAndNoOperatorFramework() {
    noClasses()
        .that()
        .resideInAnyPackage(PURE)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.fabric8.kubernetes.client..",
            "io.javaoperatorsdk..",
            "dev.quotient.controller..",
            "dev.quotient.sim..",
            "dev.quotient.embedded..",
            "dev.quotient.local..")
        .check(CLASSES);
  }

  @Test
  void operatorNeverImportsTheSimulationNorTheLocalControlPlane() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.quotient.controller..", "dev.quotient.api..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.quotient.sim..", "dev.quotient.embedded..", "dev.quotient.local..")
        .check(CLASSES);
  }

  /**
   * The two runs (embedded on the CRUD mock, local on a real control plane) share their helpers
   * through dev.quotient.run, never each other.
   */
  @Test
  void theRealControlPlaneLauncherDoesNotDependOnTheEmbeddedRun() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.quotient.local..", "dev.quotient.run..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.quotient.embedded..")
        .check(CLASSES);
  }

  @Test
  void theSharedRunHelpersDependOnNeitherRun() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.quotient.run..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.quotient.embedded..", "dev.quotient.local..", "dev.quotient.sim..")
        .check(CLASSES);
  }

  /**
   * The dashboard reads the controller side's data through its own interface (DashboardSource), so
   * it needs neither the operator framework nor a client of its own: no page view is an API call.
   */
  @Test
  void theDashboardUsesNoOperatorFrameworkAndNoClient() {
    noClasses()
        .that()
        .resideInAPackage("dev.quotient.web.dashboard..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.javaoperatorsdk..", "io.fabric8.kubernetes.client..", "dev.quotient.controller..")
        .check(CLASSES);
  }

  /**
   * The data path's order, top to bottom: the launchers, the reconcilers, the web endpoints, the
   * lifecycle, the pure model (quota, admission, pod, status, timers, node groups, settings), the
   * API classes. Each layer uses only the layers below it.
   */
  @Test
  void layersFollowTheDataPath() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("Launch")
        .definedBy(
            "dev.quotient",
            "dev.quotient.embedded..",
            "dev.quotient.local..",
            "dev.quotient.run..",
            "dev.quotient.sim..",
            "dev.quotient.build..")
        .layer("Controller")
        .definedBy("dev.quotient.controller..")
        .layer("Web")
        .definedBy("dev.quotient.web..")
        .layer("Lifecycle")
        .definedBy("dev.quotient.lifecycle..")
        .layer("Model")
        .definedBy(
            "dev.quotient.quota..",
            "dev.quotient.admission..",
            "dev.quotient.pod..",
            "dev.quotient.status..",
            "dev.quotient.timers..",
            "dev.quotient.nodegroup..",
            "dev.quotient.prepull..",
            "dev.quotient.settings..")
        .layer("Api")
        .definedBy("dev.quotient.api..")
        .whereLayer("Launch")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("Controller")
        .mayOnlyBeAccessedByLayers("Launch")
        .whereLayer("Web")
        .mayOnlyBeAccessedByLayers("Controller", "Launch")
        .whereLayer("Lifecycle")
        .mayOnlyBeAccessedByLayers("Controller")
        .whereLayer("Model")
        .mayOnlyBeAccessedByLayers("Lifecycle", "Web", "Controller", "Launch")
        .check(CLASSES);
    // The bottom layer: the API classes use none of the others.
    noClasses()
        .that()
        .resideInAPackage("dev.quotient.api..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.quotient.quota..",
            "dev.quotient.admission..",
            "dev.quotient.pod..",
            "dev.quotient.status..",
            "dev.quotient.timers..",
            "dev.quotient.nodegroup..",
            "dev.quotient.prepull..",
            "dev.quotient.settings..",
            "dev.quotient.lifecycle..",
            "dev.quotient.controller..",
            "dev.quotient.web..")
        .check(CLASSES);
  }
}
