package dev.nimbus.cli;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleName;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The CLI talks to Nimbus through the client SDK; it uses the server only to embed one (server, quickstart). */
class ArchitectureTest {
  private static final JavaClasses CLI = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.nimbus.cli");

  @Test
  void theCliUsesTheServerOnlyToEmbedIt() {
    noClasses().should().dependOnClassesThat(resideInAPackage("dev.nimbus.server..")
            .and(not(simpleName("NimbusServer").or(resideInAPackage("dev.nimbus.server.config")))))
        .check(CLI);
  }

  @Test
  void noPackageCycles() {
    slices().matching("dev.nimbus.cli.(**)").should().beFreeOfCycles().check(CLI);
  }
}
