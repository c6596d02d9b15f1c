package io.medallion.core.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.testkit.TestSpark;
import org.apache.spark.metrics.source.CodegenMetrics;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The sessions' defaults, tested on a Spark session (here rather than in core: core's tests run
 * without Spark).
 */
class SparkSessionsTest {

  /**
   * Each streaming query runs in a clone of the session. With Spark 4.0's per-session artifact
   * isolation every clone's tasks got a class loader of their own, and generated code is cached per
   * class loader, so each query (and each run of a query) compiled the same code again.
   */
  @Test
  void codeGeneratedForOneSessionIsReusedByAnother() {
    SparkSession first = codegenSession();
    SparkSession second = codegenSession();
    String query =
        "SELECT id % 13 AS k, sum(id * 7) AS s FROM range(0, 1000, 1, 2) GROUP BY id % 13";

    long beforeFirst = compilations();
    assertThat(first.sql(query).collectAsList()).hasSize(13);
    long compiledByFirst = compilations() - beforeFirst;

    long beforeSecond = compilations();
    assertThat(second.sql(query).collectAsList()).hasSize(13);
    long compiledBySecond = compilations() - beforeSecond;

    assertThat(compiledByFirst).as("the first session compiles its plan's code").isPositive();
    assertThat(compiledBySecond).as("the second session compiles nothing").isZero();
  }

  private static SparkSession codegenSession() {
    SparkSession session = TestSpark.get().newSession();
    // The shared test session runs interpreted; these two compile, as production does.
    session.conf().set("spark.sql.codegen.wholeStage", "true");
    session.conf().set("spark.sql.codegen.factoryMode", "CODEGEN_ONLY");
    return session;
  }

  private static long compilations() {
    return CodegenMetrics.METRIC_COMPILATION_TIME().getCount();
  }
}
