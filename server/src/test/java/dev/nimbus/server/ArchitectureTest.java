package dev.nimbus.server;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.nimbus.v1.ClassificationType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The map of docs/ARCHITECTURE.md as rules the build checks: no package cycle, gRPC and HTTP adapters over domain managers
 * over stores and the engine, and the engine's boundary.
 */
class ArchitectureTest {
  private static final String ROOT = "dev.nimbus.server";
  private static final String[] ADAPTERS = {"dev.nimbus.server.grpc..", "dev.nimbus.server.http.."};
  private static final String[] DOMAIN = {"dev.nimbus.server.dataset..", "dev.nimbus.server.model..",
      "dev.nimbus.server.serving..", "dev.nimbus.server.operation.."};
  private static final String[] BELOW_DOMAIN = {"dev.nimbus.server.storage..", "dev.nimbus.server.engine..",
      "dev.nimbus.server.training..", "dev.nimbus.server.batching..", "dev.nimbus.server.evaluation..",
      "dev.nimbus.server.image..", "dev.nimbus.server.metrics..", "dev.nimbus.server.error..",
      "dev.nimbus.server.util..", "dev.nimbus.server.config.."};
  private static final String[] ENGINE = {"dev.nimbus.server.engine..", "dev.nimbus.server.training.."};

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.nimbus");
  }

  @Test
  void noPackageCycles() {
    slices().matching("dev.nimbus.(**)").should().beFreeOfCycles().check(classes);
  }

  @Test
  void onlyTheCompositionRootAndTheAdaptersSeeTheAdapters() {
    noClasses().that().resideOutsideOfPackages(ROOT, ADAPTERS[0], ADAPTERS[1]).should().dependOnClassesThat()
        .resideInAnyPackage(ADAPTERS).check(classes);
    noClasses().that().resideOutsideOfPackage(ROOT).should().dependOnClassesThat().resideInAPackage(ROOT)
        .check(classes);
  }

  @Test
  void theHttpPort_reachesTheDomainOnlyThroughTheRpcs() {
    noClasses().that().resideInAPackage("dev.nimbus.server.http..").should().dependOnClassesThat()
        .resideInAnyPackage(DOMAIN).orShould().dependOnClassesThat().resideInAPackage("dev.nimbus.server.grpc")
        .check(classes);
  }

  @Test
  void storesEngineAndHelpers_neverCallUpIntoTheDomain() {
    noClasses().that().resideInAnyPackage(BELOW_DOMAIN).should().dependOnClassesThat().resideInAnyPackage(DOMAIN)
        .check(classes);
  }

  @Test
  void nothingBelowTheAdapters_importsGrpc() {
    noClasses().that().resideOutsideOfPackages(ROOT, ADAPTERS[0], ADAPTERS[1])
        .and().resideInAPackage("dev.nimbus.server..")
        .should().dependOnClassesThat().resideInAPackage("io.grpc..").check(classes);
  }

  @Test
  void onlyEngineAndTraining_touchDjlAndTensorFlow() {
    noClasses().that().resideOutsideOfPackages(ENGINE).should().dependOnClassesThat()
        .resideInAnyPackage("ai.djl..", "org.tensorflow..").check(classes);
  }

  @Test
  void engineAndTraining_knowNothingOfTheApiOrTheDomain() {
    noClasses().that().resideInAnyPackage(ENGINE).should().dependOnClassesThat(
        resideInAnyPackage("dev.nimbus.server..").and(not(resideInAnyPackage(ENGINE)))).check(classes);
    // The one word of the contract they share: whether an image has one label or several.
    noClasses().that().resideInAnyPackage(ENGINE).should().dependOnClassesThat(
        resideInAPackage("dev.nimbus.v1").and(not(equivalentTo(ClassificationType.class)))).check(classes);
  }

  @Test
  void inferenceNeverDependsOnTraining() {
    noClasses().that().resideInAPackage("dev.nimbus.server.engine..").should().dependOnClassesThat()
        .resideInAPackage("dev.nimbus.server.training..").check(classes);
  }

  @Test
  void theBatcherIsFrameworkFree() {
    noClasses().that().resideInAPackage("dev.nimbus.server.batching..").should().dependOnClassesThat(
        resideInAnyPackage("dev.nimbus..", "io.grpc..", "com.google..", "ai.djl..", "org.tensorflow..")
            .and(not(resideInAPackage("dev.nimbus.server.batching..")))).check(classes);
  }
}
