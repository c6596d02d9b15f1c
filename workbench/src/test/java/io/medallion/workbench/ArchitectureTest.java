package io.medallion.workbench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.JavaStaticInitializer;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The never-rules of the module map (docs/architecture.md), checked on the compiled main classes of
 * every module: this module's test classpath holds them all.
 */
class ArchitectureTest {
  private static final String CORE = "io.medallion.core..";
  private static final String BRONZE = "io.medallion.bronze..";
  private static final String SILVER = "io.medallion.silver..";
  private static final String GOLD = "io.medallion.gold..";
  private static final String JOBS = "io.medallion.jobs..";
  private static final String WORKBENCH = "io.medallion.workbench..";
  private static final String LOCALSTACK = "io.medallion.localstack..";
  private static final String TESTKIT = "io.medallion.testkit..";

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.medallion");
  }

  @Test
  void layersNeverImportEachOther() {
    check(
        noClasses()
            .that()
            .resideInAPackage(BRONZE)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(SILVER, GOLD));
    check(
        noClasses()
            .that()
            .resideInAPackage(SILVER)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(BRONZE, GOLD));
    check(
        noClasses()
            .that()
            .resideInAPackage(GOLD)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(BRONZE, SILVER));
  }

  @Test
  void coreImportsNoLayer() {
    check(
        noClasses()
            .that()
            .resideInAPackage(CORE)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(BRONZE, SILVER, GOLD, JOBS, WORKBENCH, LOCALSTACK, TESTKIT));
  }

  @Test
  void clusterModulesNeverImportTheWorkbenchOrTheLocalStack() {
    check(
        noClasses()
            .that()
            .resideInAnyPackage(CORE, BRONZE, SILVER, GOLD, JOBS)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(WORKBENCH, LOCALSTACK, TESTKIT));
  }

  @Test
  void nothingPrintsToSystemOut() {
    // Commands print through picocli's writer, so that tests and embedders can take the output.
    check(
        noClasses()
            .should()
            .accessField(System.class, "out")
            .because(
                "commands print through picocli's writer (CommandSpec.commandLine().getOut())"));
  }

  @Test
  void engineStateIsNeverStatic() {
    // A static mutable field is state shared by every query and job of the JVM: engines keep their
    // state in instances (the event sink, the Delta writer, the batch context). The one exception
    // is the JVM's own checkpoint locks and leases, which the OS and the lease files hold per
    // process.
    check(
        fields()
            .that()
            .areStatic()
            .and()
            .areDeclaredInClassesThat()
            .resideInAnyPackage(CORE, BRONZE, SILVER, GOLD)
            .and()
            .areDeclaredInClassesThat()
            .doNotHaveSimpleName("CheckpointLock")
            .and()
            .areDeclaredInClassesThat()
            .doNotHaveSimpleName("CheckpointLease")
            .should()
            .beFinal()
            .andShould()
            .notHaveRawType(AtomicLong.class)
            .andShould()
            .notHaveRawType(AtomicInteger.class)
            .andShould()
            .notHaveRawType(AtomicBoolean.class)
            .andShould()
            .notHaveRawType(AtomicReference.class)
            .andShould()
            .notHaveRawType(ConcurrentHashMap.class)
            .andShould()
            .notHaveRawType(HashMap.class)
            .andShould()
            .notHaveRawType(ArrayList.class)
            .because("engines keep their state in instances, not in the JVM"));
    // Collections declared by interface: their initializers must not build mutable ones.
    check(
        noClasses()
            .that()
            .resideInAnyPackage(CORE, BRONZE, SILVER, GOLD)
            .and()
            .doNotHaveSimpleName("CheckpointLock")
            .and()
            .doNotHaveSimpleName("CheckpointLease")
            .should()
            .callCodeUnitWhere(
                new DescribedPredicate<JavaCall<?>>(
                    "a mutable collection built in a static initializer") {
                  @Override
                  public boolean test(JavaCall<?> call) {
                    return call.getOrigin()
                            .getName()
                            .equals(JavaStaticInitializer.STATIC_INITIALIZER_NAME)
                        && call instanceof JavaConstructorCall
                        && MUTABLE.contains(call.getTargetOwner().getName());
                  }
                }));
  }

  private static final java.util.Set<String> MUTABLE =
      java.util.Set.of(
          HashMap.class.getName(),
          ConcurrentHashMap.class.getName(),
          ArrayList.class.getName(),
          java.util.HashSet.class.getName(),
          java.util.LinkedHashMap.class.getName(),
          java.util.TreeMap.class.getName(),
          java.util.concurrent.ConcurrentLinkedQueue.class.getName(),
          AtomicLong.class.getName(),
          AtomicInteger.class.getName());

  private static void check(ArchRule rule) {
    rule.check(classes);
  }
}
