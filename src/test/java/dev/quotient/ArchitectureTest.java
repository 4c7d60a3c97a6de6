package dev.quotient;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

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
    "dev.quotient.pod..",
    "dev.quotient.status..",
    "dev.quotient.settings..",
    "dev.quotient.nodegroup..",
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
}
