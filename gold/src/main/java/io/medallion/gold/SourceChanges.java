package io.medallion.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.medallion.core.lake.Sql;
import io.medallion.gold.IncrementalAggregate.Change;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.And;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.EqualTo;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.Join;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.RemoveFile;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What one batch changed in the sources of a gold query that joins them ({@link
 * IncrementalAggregate#joined}), as the terms whose aggregates, added or subtracted, are the change
 * of the query's aggregates.
 *
 * <p>A join of sources S1 … Sn is linear in each of them, so its change from their versions before
 * the batch to their versions after it telescopes: the sum over i of the join of S1 … S(i-1) after
 * the batch, the change of Si, and S(i+1) … Sn before it. The change of a source whose versions in
 * between only appended rows is the batch's rows of it (its stream); the change of one that a
 * commit rewrote (an SCD dimension's MERGE, a delete) is the rows its new version has and its old
 * one lacks, added, and the other way round, subtracted. Both versions come from the checkpoint's
 * offset log (the batch's and the one before's), so a replayed batch computes the same terms.
 */
final class SourceChanges {
  /** The most rows of a source's change that the driver holds to restrict the other sources by. */
  private static final int SMALL = 10_000;

  private static final String SIGN = "__sign";

  /** The column, in a joined query's stream, that carries the rows of its i-th source. */
  static String rowsOf(int source) {
    return "__rows_" + source;
  }

  private SourceChanges() {}

  /**
   * The terms of batch {@code batchId}: for the checkpoint's first batch, every source whole at the
   * version the batch read to; after it, the telescoped changes.
   *
   * @param sources the query's sources in order: qualified name to location
   * @param batch the batch's stream, each source's rows in the struct {@link #rowsOf}
   * @param cached where the rows it persists for the terms are added, to unpersist once they are
   *     merged
   */
  static List<Change> of(
      SparkSession spark,
      IncrementalAggregate plan,
      String table,
      String checkpoint,
      LinkedHashMap<String, String> sources,
      Dataset<Row> batch,
      long batchId,
      List<Dataset<Row>> cached) {
    Map<String, Long> after =
        MergedBatches.versionsRead(spark, table, checkpoint, batchId, sources);
    if (batchId == 0) {
      Map<String, Dataset<Row>> whole = new HashMap<>();
      sources.forEach((name, path) -> whole.put(name, at(spark, path, after.get(name))));
      return List.of(new Change(whole, false));
    }
    Map<String, Long> before =
        MergedBatches.versionsRead(spark, table, checkpoint, batchId - 1, sources);
    List<String> names = List.copyOf(sources.keySet());
    List<Change> terms = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String changed = names.get(i);
      long from = before.getOrDefault(changed, -1L);
      long to = after.getOrDefault(changed, -1L);
      if (from == to) {
        continue;
      }
      Map<String, Dataset<Row>> others = new HashMap<>();
      for (int j = 0; j < names.size(); j++) {
        String other = names.get(j);
        if (j != i) {
          Long version = j < i ? after.get(other) : before.get(other);
          others.put(other, at(spark, sources.get(other), version));
        }
      }
      String path = sources.get(changed);
      if (rewritten(spark, path, from, to)) {
        Dataset<Row> old = at(spark, path, from);
        Dataset<Row> now = at(spark, path, to);
        List<Dataset<Row>> difference = difference(old, now);
        if (difference != null) {
          Dataset<Row> added = difference.get(0);
          Dataset<Row> removed = difference.get(1);
          // The other sources need only the rows an equality of the join lets meet the changed
          // ones: a filter Delta skips files by (the plays of the titles that changed), its rows
          // kept for both terms.
          Map<String, Dataset<Row>> met = meeting(spark, plan, others, changed, added, removed);
          for (var m : met.entrySet()) {
            if (m.getValue() != others.get(m.getKey())) {
              cached.add(m.getValue().persist());
            }
          }
          terms.add(new Change(with(met, changed, added), false));
          terms.add(new Change(with(met, changed, removed), true));
        } else {
          terms.add(new Change(with(others, changed, now.exceptAll(old)), false));
          terms.add(new Change(with(others, changed, old.exceptAll(now)), true));
        }
      } else {
        Dataset<Row> appended = batch.where(col(rowsOf(i)).isNotNull()).select(rowsOf(i) + ".*");
        terms.add(new Change(with(others, changed, appended), false));
      }
    }
    return terms;
  }

  /**
   * The rows {@code now} has more often than {@code old} (added) and the other way round (removed),
   * each as many times more, found in one pass over both and held in the driver; null when there
   * are more than {@value #SMALL} of them.
   */
  private static List<Dataset<Row>> difference(Dataset<Row> old, Dataset<Row> now) {
    Dataset<Row> both =
        old.withColumn(SIGN, lit(-1L)).unionByName(now.withColumn(SIGN, lit(1L)), true);
    Column[] columns =
        java.util.Arrays.stream(both.columns())
            .filter(c -> !c.equals(SIGN))
            .map(c -> col(Sql.identifier(c)))
            .toArray(Column[]::new);
    List<Row> counted =
        both.groupBy(columns)
            .agg(sum(col(SIGN)).as(SIGN))
            .where(col(SIGN).notEqual(0L))
            .limit(SMALL + 1)
            .collectAsList();
    if (counted.size() > SMALL) {
      return null;
    }
    List<Row> added = new ArrayList<>();
    List<Row> removed = new ArrayList<>();
    for (Row r : counted) {
      long times = r.getLong(r.size() - 1);
      Object[] values = new Object[r.size() - 1];
      for (int i = 0; i < values.length; i++) {
        values[i] = r.get(i);
      }
      for (long n = 0; n < Math.abs(times); n++) {
        (times > 0 ? added : removed).add(RowFactory.create(values));
      }
    }
    StructType schema = both.drop(SIGN).schema();
    SparkSession spark = old.sparkSession();
    return List.of(spark.createDataFrame(added, schema), spark.createDataFrame(removed, schema));
  }

  /**
   * The other sources, each restricted to the rows whose column an equality of the query's join
   * conditions ({@code h.title_id = p.title_id}) sets equal to a value of the changed rows' column:
   * no other row meets a changed one. A source no such equality names stays whole.
   */
  static Map<String, Dataset<Row>> meeting(
      SparkSession spark,
      IncrementalAggregate plan,
      Map<String, Dataset<Row>> others,
      String changed,
      Dataset<Row> added,
      Dataset<Row> removed) {
    Dataset<Row> rows = added.unionByName(removed);
    Map<String, Dataset<Row>> probe = with(others, changed, rows);
    LogicalPlan analysed =
        ((org.apache.spark.sql.classic.Dataset<Row>) plan.rows(spark, probe))
            .queryExecution()
            .analyzed();
    Set<ExprId> changedIds = ids(rows);
    List<Tuple2<Attribute, Attribute>> equalities = new ArrayList<>();
    collectEqualities(analysed, equalities);
    Map<String, Dataset<Row>> met = new HashMap<>(others);
    for (var other : others.entrySet()) {
      Set<ExprId> otherIds = ids(other.getValue());
      for (Tuple2<Attribute, Attribute> e : equalities) {
        Attribute mine = changedIds.contains(e._1().exprId()) ? e._1() : e._2();
        Attribute theirs = mine == e._1() ? e._2() : e._1();
        if (!changedIds.contains(mine.exprId()) || !otherIds.contains(theirs.exprId())) {
          continue;
        }
        Object[] values =
            rows.select(col(Sql.identifier(mine.name()))).distinct().collectAsList().stream()
                .filter(r -> !r.isNullAt(0))
                .map(r -> r.get(0))
                .toArray();
        met.put(
            other.getKey(),
            other.getValue().where(col(Sql.identifier(theirs.name())).isin(values)));
        break;
      }
    }
    return met;
  }

  private static Set<ExprId> ids(Dataset<Row> rows) {
    Set<ExprId> ids = new HashSet<>();
    for (Attribute a :
        CollectionConverters.asJava(
            ((org.apache.spark.sql.classic.Dataset<Row>) rows).logicalPlan().output())) {
      ids.add(a.exprId());
    }
    return ids;
  }

  /** The equalities of two columns that the plan's join conditions require. */
  private static void collectEqualities(
      LogicalPlan plan, List<Tuple2<Attribute, Attribute>> found) {
    if (plan instanceof Join join && join.condition().isDefined()) {
      conjuncts(join.condition().get(), found);
    }
    for (LogicalPlan child : CollectionConverters.asJava(plan.children())) {
      collectEqualities(child, found);
    }
  }

  private static void conjuncts(Expression e, List<Tuple2<Attribute, Attribute>> found) {
    if (e instanceof And and) {
      conjuncts(and.left(), found);
      conjuncts(and.right(), found);
    } else if (e instanceof EqualTo eq
        && eq.left() instanceof Attribute l
        && eq.right() instanceof Attribute r) {
      found.add(new Tuple2<>(l, r));
    }
  }

  private static Map<String, Dataset<Row>> with(
      Map<String, Dataset<Row>> others, String source, Dataset<Row> rows) {
    Map<String, Dataset<Row>> all = new HashMap<>(others);
    all.put(source, rows);
    return all;
  }

  /** A source's rows at a version; none before its first one ({@code null} or negative). */
  private static Dataset<Row> at(SparkSession spark, String path, Long version) {
    if (version == null || version < 0) {
      return spark.read().format("delta").load(path).where("false");
    }
    return spark.read().format("delta").option("versionAsOf", version).load(path);
  }

  /**
   * Whether a commit after version {@code from}, up to {@code to}, took rows out of the table
   * (removed a file as a change of its data): then the table's stream, which skips such commits,
   * does not hold its change. Compactions remove files without changing data and do not count.
   */
  static boolean rewritten(SparkSession spark, String path, long from, long to) {
    var changes = DeltaLog.forTable(spark, path).getChanges(Math.max(from + 1, 0), false);
    while (changes.hasNext()) {
      Tuple2<Object, scala.collection.immutable.Seq<Action>> commit = changes.next();
      if ((Long) commit._1() > to) {
        return false;
      }
      for (Action action : CollectionConverters.asJava(commit._2())) {
        if (action instanceof RemoveFile remove && remove.dataChange()) {
          return true;
        }
      }
    }
    return false;
  }
}
