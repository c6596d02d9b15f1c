package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.core.error.MedallionException;
import io.medallion.core.spec.Pipeline.Transform;
import io.medallion.core.spec.Pipeline.TransformKind;
import io.medallion.testkit.TestSpark;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The three kinds of silver transformation applied to a small in-memory batch. */
class TableTransformTest {
  private final SparkSession spark = TestSpark.get();

  private Dataset<Row> input() {
    return spark.sql("SELECT * FROM VALUES ('e1', 'start'), ('e2', 'stop') AS t(event_id, kind)");
  }

  private static List<String> rows(Dataset<Row> rows) {
    return rows.orderBy("event_id").collectAsList().stream().map(Row::toString).toList();
  }

  /** A transformation named by class: keeps start events and upper-cases their kind. */
  public static final class StartsOnly implements SilverTransform {
    @Override
    public Dataset<Row> apply(Dataset<Row> input) {
      return input.where("kind = 'start'").selectExpr("event_id", "upper(kind) AS kind");
    }
  }

  /** Not a transformation. */
  public static final class NotATransform {}

  /** A transformation Spark cannot create: its only constructor takes an argument. */
  public static final class NeedsAnArgument implements SilverTransform {
    public NeedsAnArgument(String unused) {}

    @Override
    public Dataset<Row> apply(Dataset<Row> input) {
      return input;
    }
  }

  private static Transform named(Class<?> type) {
    return named(type.getName());
  }

  private static Transform named(String className) {
    return new Transform(TransformKind.CLASS, className, "silver.tables.t.transform.class", 12);
  }

  @Test
  void noTransformationHandsTheRowsOnUnchanged() {
    Dataset<Row> in = input();

    assertThat(new TableTransform(Transform.NONE).apply(in)).isSameAs(in);
  }

  @Test
  void aSqlTransformationReadsTheViewInput() {
    Transform sql =
        new Transform(
            TransformKind.SQL,
            "SELECT *, length(kind) AS kind_length FROM input WHERE event_id <> 'e2'",
            "silver.tables.t.transform.sql",
            3);

    Dataset<Row> out = new TableTransform(sql).apply(input());

    assertThat(out.columns()).containsExactly("event_id", "kind", "kind_length");
    assertThat(rows(out)).containsExactly("[e1,start,5]");
    assertThat(TableTransform.INPUT_VIEW).isEqualTo("input");
  }

  @Test
  void aNamedClassTransformsTheRows() {
    Dataset<Row> out = new TableTransform(named(StartsOnly.class)).apply(input());

    assertThat(rows(out)).containsExactly("[e1,START]");
  }

  @Test
  void aClassNotOnTheClasspathIsReportedWithWhereItIsNamed() {
    assertThatThrownBy(() -> new TableTransform(named("com.example.Missing")))
        .isInstanceOf(MedallionException.class)
        .hasMessage(
            "The transform class com.example.Missing named at silver.tables.t.transform.class"
                + " (line 12) is not on the classpath.\n"
                + "  Fix: Check the class name, and add its jar with --conf spark.jars=... or to"
                + " the classpath.");
  }

  @Test
  void aClassThatIsNotASilverTransformIsRejected() {
    String name = NotATransform.class.getName();

    assertThatThrownBy(() -> new TableTransform(named(NotATransform.class)))
        .isInstanceOf(MedallionException.class)
        .hasMessage(
            "The transform class "
                + name
                + " does not implement SilverTransform.\n"
                + "  Fix: Implement io.medallion.silver.SilverTransform.");
  }

  @Test
  void aClassWithoutANoArgumentConstructorIsRejected() {
    String name = NeedsAnArgument.class.getName();

    assertThatThrownBy(() -> new TableTransform(named(NeedsAnArgument.class)))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith("Cannot create the transform " + name + ": ")
        .hasMessageContaining("NoSuchMethodException")
        .hasMessageEndingWith("\n  Fix: Give it a public constructor without arguments.")
        .hasCauseInstanceOf(NoSuchMethodException.class);
  }
}
