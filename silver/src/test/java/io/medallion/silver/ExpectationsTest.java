package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.spec.Pipeline.Expectation;
import io.medallion.core.spec.Pipeline.ExpectationAction;
import io.medallion.testkit.TestSpark;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Rules evaluated on small in-memory batches: what each row fails, and what happens to it. */
class ExpectationsTest {
  private final SparkSession spark = TestSpark.get();

  private static Expectation row(String name, String rule, ExpectationAction action) {
    return new Expectation(name, rule, List.of(), action, "silver.tables.t.expectations", 1);
  }

  private static Expectation unique(String name, List<String> columns, ExpectationAction action) {
    return new Expectation(name, "", columns, action, "silver.tables.t.expectations", 1);
  }

  /** Rows (id, kind, n, _raw), evaluated and ordered by id. */
  private List<Row> evaluate(List<Expectation> rules, String... values) {
    Dataset<Row> rows =
        spark.sql(
            "SELECT * FROM VALUES "
                + String.join(", ", values)
                + " AS t(id, kind, n, "
                + SilverColumns.RAW
                + ")");
    return new Expectations(rules).evaluate(rows).orderBy("id").collectAsList();
  }

  /** (failed columns in rule order..., quarantine rule, quarantine reason, drop) of a row. */
  private static List<Object> outcome(Row r, int rules) {
    Object[] out = new Object[rules + 3];
    for (int i = 0; i < rules; i++) {
      out[i] = r.getAs(Expectations.failed(i));
    }
    Row q = r.getAs(Expectations.QUARANTINE);
    out[rules] = q == null ? null : q.getString(0);
    out[rules + 1] = q == null ? null : q.getString(1);
    out[rules + 2] = r.getAs(Expectations.DROP);
    return Arrays.asList(out);
  }

  @Test
  void aRuleThatIsNullForARowFailsIt() {
    List<Expectation> rules = List.of(row("n_positive", "n > 0", ExpectationAction.QUARANTINE));

    List<Row> rows = evaluate(rules, "(1, 'a', 5, 'r1')", "(2, 'a', CAST(NULL AS INT), 'r2')");

    assertThat(outcome(rows.get(0), 1)).containsExactly(false, null, null, false);
    assertThat(outcome(rows.get(1), 1))
        .containsExactly(true, "n_positive", "failed n_positive: n > 0", false);
  }

  @Test
  void aRowIsQuarantinedUnderItsFirstFailedQuarantineRuleWithEveryReason() {
    List<Expectation> rules =
        List.of(
            row("kind_known", "kind IN ('a', 'b')", ExpectationAction.QUARANTINE),
            row("n_small", "n < 10", ExpectationAction.WARN),
            row("n_positive", "n > 0", ExpectationAction.QUARANTINE),
            row("n_even", "n % 2 = 0", ExpectationAction.DROP));

    List<Row> rows = evaluate(rules, "(1, 'z', -11, 'r1')", "(2, 'a', -2, 'r2')");

    assertThat(outcome(rows.get(0), 4))
        .containsExactly(
            true,
            false,
            true,
            true,
            "kind_known",
            "failed kind_known: kind IN ('a', 'b'); n_positive: n > 0",
            false);
    assertThat(outcome(rows.get(1), 4))
        .containsExactly(
            false, false, true, false, "n_positive", "failed n_positive: n > 0", false);
  }

  @Test
  void aDropRuleDiscardsOnlyRowsNoQuarantineRuleTakesAndAWarnRuleKeepsTheRow() {
    List<Expectation> rules =
        List.of(
            row("not_test", "kind <> 'test'", ExpectationAction.DROP),
            row("n_small", "n < 10", ExpectationAction.WARN),
            row("n_positive", "n > 0", ExpectationAction.QUARANTINE));

    List<Row> rows =
        evaluate(
            rules,
            "(1, 'test', 1, 'r1')",
            "(2, 'test', -1, 'r2')",
            "(3, 'a', 50, 'r3')",
            "(4, 'a', 1, 'r4')");

    assertThat(rows.stream().map(r -> outcome(r, 3)).toList())
        .containsExactly(
            Arrays.asList(true, false, false, null, null, true),
            Arrays.asList(true, false, true, "n_positive", "failed n_positive: n > 0", false),
            Arrays.asList(false, true, false, null, null, false),
            Arrays.asList(false, false, false, null, null, false));
  }

  @Test
  void rowsSharingAUniqueKeyWithDifferentPayloadsFailButExactResendsPass() {
    List<Expectation> rules =
        List.of(unique("one_per_seq", List.of("kind", "n"), ExpectationAction.QUARANTINE));

    List<Row> rows =
        evaluate(
            rules,
            "(1, 'a', 1, 'same')",
            "(2, 'a', 1, 'same')",
            "(3, 'b', 1, 'first')",
            "(4, 'b', 1, 'second')",
            "(5, 'b', 2, 'other')");

    String reason = "failed one_per_seq: another record of the batch has the same kind, n";
    assertThat(rows.stream().map(r -> outcome(r, 1)).toList())
        .containsExactly(
            Arrays.asList(false, null, null, false),
            Arrays.asList(false, null, null, false),
            Arrays.asList(true, "one_per_seq", reason, false),
            Arrays.asList(true, "one_per_seq", reason, false),
            Arrays.asList(false, null, null, false));
  }

  @Test
  void aUniqueRuleLooksOnlyAtRowsNoRowRuleRejected() {
    List<Expectation> rules =
        List.of(
            row("n_positive", "n > 0", ExpectationAction.QUARANTINE),
            row("not_test", "id <> 3", ExpectationAction.DROP),
            unique("one_per_kind", List.of("kind"), ExpectationAction.QUARANTINE));

    List<Row> rows =
        evaluate(rules, "(1, 'a', 1, 'good')", "(2, 'a', -1, 'bad')", "(3, 'a', 1, 'dropped')");

    assertThat(rows.stream().map(r -> outcome(r, 3)).toList())
        .containsExactly(
            Arrays.asList(false, false, false, null, null, false),
            Arrays.asList(true, false, false, "n_positive", "failed n_positive: n > 0", false),
            Arrays.asList(false, true, false, null, null, true));
  }

  @Test
  void aUniqueRuleWithActionDropDropsBothConflictingRows() {
    List<Expectation> rules =
        List.of(unique("one_per_kind", List.of("kind"), ExpectationAction.DROP));

    List<Row> rows = evaluate(rules, "(1, 'a', 1, 'x')", "(2, 'a', 2, 'y')", "(3, 'b', 3, 'z')");

    assertThat(rows.stream().map(r -> outcome(r, 1)).toList())
        .containsExactly(
            Arrays.asList(true, null, null, true),
            Arrays.asList(true, null, null, true),
            Arrays.asList(false, null, null, false));
  }

  @Test
  void withNoRulesNothingIsQuarantinedOrDropped() {
    List<Row> rows = evaluate(List.of(), "(1, 'a', 1, 'x')");

    assertThat(outcome(rows.get(0), 0)).containsExactly(null, null, false);
    assertThat(rows.get(0).schema().fieldNames())
        .containsExactly("id", "kind", "n", SilverColumns.RAW, "__quarantine", "__drop");
  }

  @Test
  void literalsEscapeQuotesAndBackslashesAndActionsAreLowerCase() {
    assertThat(Expectations.literal("it's a \\d")).isEqualTo("'it\\'s a \\\\d'");
    assertThat(Expectations.action(row("r", "true", ExpectationAction.QUARANTINE)))
        .isEqualTo("quarantine");
    assertThat(Expectations.failed(2)).isEqualTo("__failed_2");
  }

  @Test
  void aRuleTextWithQuotesEndsUpVerbatimInTheReason() {
    List<Expectation> rules =
        List.of(row("no_quote", "kind NOT LIKE '%\\'%'", ExpectationAction.QUARANTINE));

    List<Row> rows = evaluate(rules, "(1, 'it\\'s', 1, 'x')", "(2, 'its', 1, 'y')");

    assertThat(rows.stream().map(r -> outcome(r, 1)).toList())
        .containsExactly(
            Arrays.asList(true, "no_quote", "failed no_quote: kind NOT LIKE '%\\'%'", false),
            Arrays.asList(false, null, null, false));
  }
}
