package io.medallion.silver;

import static org.apache.spark.sql.functions.expr;

import io.medallion.core.lake.Sql;
import io.medallion.core.spec.Pipeline.Expectation;
import io.medallion.core.spec.Pipeline.ExpectationAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Evaluates a table's rules on every row and marks what happens to it. A rule passes only where it
 * is true: a rule that is null for a row (a comparison with a missing value) fails.
 *
 * <p>Row rules are evaluated on every row, so that each rule's counts are complete. A row failing
 * any {@code quarantine} rule is quarantined under the first of them (the reason lists all); one
 * failing a {@code drop} rule (and no quarantine rule) is dropped. Table rules ({@code unique})
 * then look at the rows still kept: rows sharing the key with a different payload fail; exact
 * re-sends are left to deduplication.
 */
final class Expectations {
  /** Struct (rule, reason) for a row to quarantine, else null. */
  static final String QUARANTINE = "__quarantine";

  /** True for a row a drop rule discards. */
  static final String DROP = "__drop";

  private final List<Expectation> rules;

  Expectations(List<Expectation> rules) {
    this.rules = rules;
  }

  List<Expectation> rules() {
    return rules;
  }

  /** The column that is true where rule {@code i} failed. */
  static String failed(int i) {
    return "__failed_" + i;
  }

  /** The rows with a {@link #failed} column per rule, {@link #QUARANTINE} and {@link #DROP}. */
  Dataset<Row> evaluate(Dataset<Row> rows) {
    Dataset<Row> out = rows;
    for (int i = 0; i < rules.size(); i++) {
      Expectation r = rules.get(i);
      if (!r.isUnique()) {
        out = out.withColumn(failed(i), expr("NOT coalesce((" + r.rule() + "), false)"));
      }
    }
    out = mark(out, false);
    String kept = QUARANTINE + " IS NULL AND NOT " + DROP;
    boolean anyUnique = false;
    for (int i = 0; i < rules.size(); i++) {
      Expectation r = rules.get(i);
      if (r.isUnique()) {
        anyUnique = true;
        String key =
            r.unique().stream().map(JsonPayloadParser::quote).collect(Collectors.joining(", "));
        String keptRaw = "CASE WHEN " + kept + " THEN " + SilverColumns.RAW + " END";
        String window = " OVER (PARTITION BY " + key + ")";
        out =
            out.withColumn(
                failed(i),
                expr(
                    "("
                        + kept
                        + ") AND min("
                        + keptRaw
                        + ")"
                        + window
                        + " <> max("
                        + keptRaw
                        + ")"
                        + window));
      }
    }
    return anyUnique ? mark(out.drop(QUARANTINE, DROP), true) : out;
  }

  /** Sets {@link #QUARANTINE} and {@link #DROP} from the failed columns evaluated so far. */
  private Dataset<Row> mark(Dataset<Row> rows, boolean includeUnique) {
    List<String> quarantineWhens = new ArrayList<>();
    List<String> reasons = new ArrayList<>();
    List<String> drops = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      Expectation r = rules.get(i);
      if (r.isUnique() && !includeUnique) {
        continue;
      }
      String failed = failed(i);
      if (r.action() == ExpectationAction.QUARANTINE) {
        quarantineWhens.add(" WHEN " + failed + " THEN '" + r.name() + "'");
        reasons.add("CASE WHEN " + failed + " THEN " + literal(describe(r)) + " END");
      } else if (r.action() == ExpectationAction.DROP) {
        drops.add(failed);
      }
    }
    Dataset<Row> out = rows;
    if (quarantineWhens.isEmpty()) {
      out = out.withColumn(QUARANTINE, expr("CAST(NULL AS STRUCT<rule: STRING, reason: STRING>)"));
    } else {
      String rule = "CASE" + String.join("", quarantineWhens) + " END";
      out =
          out.withColumn(
              QUARANTINE,
              expr(
                  "CASE WHEN ("
                      + rule
                      + ") IS NULL THEN NULL ELSE named_struct('rule', "
                      + rule
                      + ", 'reason', concat('failed ', concat_ws('; ', "
                      + String.join(", ", reasons)
                      + "))) END"));
    }
    String drop = drops.isEmpty() ? "false" : String.join(" OR ", drops);
    return out.withColumn(DROP, expr(QUARANTINE + " IS NULL AND (" + drop + ")"));
  }

  private static String describe(Expectation r) {
    return r.name()
        + ": "
        + (r.isUnique()
            ? "another record of the batch has the same " + String.join(", ", r.unique())
            : r.rule());
  }

  static String literal(String text) {
    return Sql.literal(text);
  }

  static String action(Expectation r) {
    return r.action().name().toLowerCase(Locale.ROOT);
  }
}
