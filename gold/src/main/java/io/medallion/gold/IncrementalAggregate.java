package io.medallion.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

import io.medallion.core.lake.Sql;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.core.spec.Pipeline.Refresh;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.analysis.UnresolvedHaving;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias$;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedWith;
import org.apache.spark.sql.catalyst.plans.logical.View;
import org.apache.spark.sql.catalyst.plans.logical.Window;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractPartialFunction;

/**
 * A gold query that is one aggregation of its sources' rows, kept by merging each batch's
 * aggregates into the table by its group keys instead of recomputing the slices the batch touches.
 *
 * <p>It applies to an {@code incremental} table whose query is a single {@code SELECT ... GROUP BY}
 * (no {@code HAVING}, ordering, window or set operation on top) where:
 *
 * <ul>
 *   <li>every group expression is an output column, and the slice column is one of them;
 *   <li>every other output column is an aggregate that a merge can combine ({@code count}, {@code
 *       count_if}, {@code sum}, {@code min}, {@code max}, {@code count(DISTINCT column)}), such an
 *       aggregate or a {@code count} or {@code sum} inside {@code coalesce(…, 0)}, or an expression
 *       over aggregates that are themselves output columns ({@code try_divide(clicks,
 *       impressions)}); an {@code avg(x)} counts as {@code try_divide(sum(x), count(x))}, its sum
 *       and count kept in columns of their own, so a table with one keeps its aggregates apart;
 *   <li>distinct counts, if any, count one source column, which nothing else in the query reads.
 * </ul>
 *
 * A distinct count is kept exact by the query's state: the (group, member) pairs it has counted
 * (see {@link DistinctMembers}), so that a batch adds only members the group has not had.
 * Everything else in the query, its sources and their subqueries, unions and projections, runs as
 * written on the batch's rows.
 */
final class IncrementalAggregate {
  /** The column that carries a distinct member, or null for a repeat, into the aggregation. */
  static final String NEW_MEMBER = "__new_member";

  private static final Set<String> COMBINABLE = Set.of("count", "count_if", "sum", "min", "max");

  /** The prefix of the columns the kept aggregates hold an average's sum and count in. */
  static final String AVERAGE_PARTS = "__avg_";

  private static final String OTHER_FUNCTION =
      "it uses an aggregate function other than count, count_if, sum, min, max and avg";

  /** What an aggregate call other than {@link #COMBINABLE} counts for: more than any query has. */
  private static final int OTHER = 1 << 20;

  private final LogicalPlan query;
  // The aggregation where the query has it, and as a batch computes it (its averages split).
  private final Aggregate placed;
  private final Aggregate aggregate;
  private final boolean keepsAggregates;
  private final List<String> groupColumns;
  private final List<String> groupExpressions;
  private final String member;
  private final Map<String, String> merged;
  private final String slice;
  // For a query that joins its sources: its count(*) column, which says when a group is empty.
  private final String rowCount;
  // Set once the plan analyses: see sliceLocal().
  private boolean sliceLocal;

  private IncrementalAggregate(
      LogicalPlan query,
      Aggregate placed,
      Aggregate aggregate,
      boolean keepsAggregates,
      List<String> groupColumns,
      List<String> groupExpressions,
      String member,
      Map<String, String> merged,
      String slice,
      String rowCount) {
    this.query = query;
    this.placed = placed;
    this.aggregate = aggregate;
    this.keepsAggregates = keepsAggregates;
    this.groupColumns = groupColumns;
    this.groupExpressions = groupExpressions;
    this.member = member;
    this.merged = merged;
    this.slice = slice;
    this.rowCount = rowCount;
  }

  /** What {@link #of} found: the plan, or why the table keeps recomputing its slices. */
  record Analysis(Optional<IncrementalAggregate> plan, String reason) {}

  /**
   * Reads a table's query. Its sources must be registered ({@code LakeCatalog.register}): the
   * aggregate functions are checked on the analysed query.
   */
  static Analysis of(SparkSession spark, GoldTable table) {
    if (table.refresh() == Refresh.FULL) {
      return no("its refresh is full");
    }
    if (table.isJava()) {
      return no("a Java class computes it");
    }
    LogicalPlan query;
    try {
      query = withCtesInlined(spark.sessionState().sqlParser().parsePlan(table.sql()));
    } catch (ParseException e) {
      // The table's check reports a query that does not parse.
      return no("its query does not parse");
    }
    List<Aggregate> aggregations = new ArrayList<>();
    collectAggregations(query, aggregations);
    if (aggregations.size() != 1 || containsHaving(query)) {
      return no("its query is not one aggregation");
    }
    Aggregate aggregate = aggregations.get(0);
    String rowCount = null;
    if (containsJoin(aggregate.child())) {
      // A batch's new rows of one side meet every row of the other, which a rewrite (an SCD
      // dimension's merge) may change too: the batch merges the change of the whole join.
      Optional<String> unfit = unjoinable(query, aggregate, table);
      if (unfit.isPresent()) {
        return no(unfit.get());
      }
      rowCount = rowCount(aggregate);
    }
    Aggregate computed = withAveragesSplit(spark, aggregate);
    // What the parser calls a function may be an aggregate or not: the analysed query tells.
    int calls;
    try {
      calls = analysedAggregates(spark, computed);
    } catch (Exception e) { // Spark's AnalysisException is checked in Java's eyes but not declared
      // The table's check reports a query that does not analyse.
      return no("its query does not analyse");
    }
    if (calls < 0) {
      return no(OTHER_FUNCTION);
    }
    return ofAggregation(spark, table, query, aggregate, computed, calls, rowCount);
  }

  /**
   * Why a query that joins its sources cannot be kept by merging each batch's change, if it cannot:
   * its change must follow from its sources' changes one source at a time (inner joins, filters,
   * projections, {@code UNION ALL}, {@code LATERAL VIEW}, each source read once), and its
   * aggregates must be counts, which a change that takes rows away subtracts from exactly, with a
   * {@code count(*)} among them to say when a group is left without rows.
   */
  private static Optional<String> unjoinable(
      LogicalPlan query, Aggregate aggregate, GoldTable table) {
    if (table.refresh() == Refresh.STREAMING) {
      return Optional.of("its query joins tables and it is streaming");
    }
    if (query != aggregate) {
      return Optional.of("its query joins tables and computes more than one aggregation");
    }
    Optional<String> shape = nonLinear(aggregate.child());
    if (shape.isPresent()) {
      return shape;
    }
    Map<String, Integer> reads = new HashMap<>();
    countReads(aggregate.child(), reads);
    for (String source : table.sources()) {
      if (reads.getOrDefault(source.toLowerCase(Locale.ROOT), 0) != 1) {
        return Optional.of("its query joins tables and reads " + source + " more than once");
      }
    }
    for (NamedExpression n : CollectionConverters.asJava(aggregate.aggregateExpressions())) {
      Expression body = n instanceof Alias a ? a.child() : (Expression) n;
      List<UnresolvedFunction> calls = new ArrayList<>();
      collectAggregates(body, calls);
      boolean counts =
          calls.isEmpty()
              || (body instanceof UnresolvedFunction f
                  && (name(f).equals("count") || name(f).equals("count_if"))
                  && !f.isDistinct()
                  && f.filter().isEmpty());
      if (!counts) {
        return Optional.of(
            "its query joins tables and the column "
                + (n instanceof Alias a ? a.name() : body.sql())
                + " is not a count (a change of a joined table takes rows away, and only counts"
                + " are merged by subtracting them)");
      }
    }
    if (rowCount(aggregate) == null) {
      return Optional.of(
          "its query joins tables and has no count(*) column, which says when a group is left"
              + " without rows");
    }
    return Optional.empty();
  }

  /** Why a change to one source does not give the change of the rows under the aggregation. */
  private static Optional<String> nonLinear(LogicalPlan plan) {
    if (plan instanceof org.apache.spark.sql.catalyst.plans.logical.Join j
        && j.joinType() != org.apache.spark.sql.catalyst.plans.Inner$.MODULE$
        && j.joinType() != org.apache.spark.sql.catalyst.plans.Cross$.MODULE$) {
      return Optional.of(
          "its query joins tables with a " + j.joinType().sql() + " join, not an inner one");
    }
    boolean linear =
        plan instanceof org.apache.spark.sql.catalyst.plans.logical.Join
            || plan instanceof Project
            || plan instanceof Filter
            || plan instanceof SubqueryAlias
            || plan instanceof UnresolvedRelation
            || plan instanceof org.apache.spark.sql.catalyst.plans.logical.Generate
            || plan instanceof org.apache.spark.sql.catalyst.plans.logical.Union;
    boolean subquery =
        CollectionConverters.asJava(plan.expressions()).stream()
            .anyMatch(
                e ->
                    e.exists(
                        new scala.runtime.AbstractFunction1<Expression, Object>() {
                          @Override
                          public Object apply(Expression x) {
                            return x
                                instanceof
                                org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
                          }
                        }));
    if (!linear || subquery) {
      return Optional.of(
          "its query joins tables and its rows go through "
              + (subquery ? "a subquery" : plan.nodeName())
              + ", which a change to one of them does not pass through row by row");
    }
    for (LogicalPlan child : CollectionConverters.asJava(plan.children())) {
      Optional<String> found = nonLinear(child);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  private static void countReads(LogicalPlan plan, Map<String, Integer> reads) {
    if (plan instanceof UnresolvedRelation r) {
      reads.merge(qualified(r), 1, Integer::sum);
    }
    for (LogicalPlan child : CollectionConverters.asJava(plan.children())) {
      countReads(child, reads);
    }
  }

  /** The output column that counts a group's rows ({@code count(*)}), or null. */
  private static String rowCount(Aggregate aggregate) {
    for (NamedExpression n : CollectionConverters.asJava(aggregate.aggregateExpressions())) {
      if (n instanceof Alias a
          && a.child() instanceof UnresolvedFunction f
          && name(f).equals("count")
          && !f.isDistinct()
          && f.filter().isEmpty()
          && f.arguments().size() == 1
          && (f.arguments().head() instanceof org.apache.spark.sql.catalyst.analysis.UnresolvedStar
              || (f.arguments().head() instanceof Literal l && l.value() != null))) {
        return a.name();
      }
    }
    return null;
  }

  /**
   * The analysis of a query's one aggregation ({@code placed} in the query, {@code aggregate} as a
   * batch computes it), with {@code calls} aggregate calls in all.
   */
  private static Analysis ofAggregation(
      SparkSession spark,
      GoldTable table,
      LogicalPlan query,
      Aggregate placed,
      Aggregate aggregate,
      int calls,
      String rowCount) {
    List<Expression> groups = new ArrayList<>();
    for (Expression g : CollectionConverters.asJava(aggregate.groupingExpressions())) {
      groups.add(g);
    }
    Map<String, Expression> outputs = new LinkedHashMap<>();
    List<String> groupColumns = new ArrayList<>();
    List<String> groupExpressions = new ArrayList<>();
    for (NamedExpression n : CollectionConverters.asJava(aggregate.aggregateExpressions())) {
      Expression e = (Expression) n;
      Expression body = e instanceof Alias a ? a.child() : e;
      String name = e instanceof Alias a ? a.name() : outputName(body);
      if (name == null) {
        return no("an output column has no name");
      }
      outputs.put(name, body);
      if (groups.contains(body)) {
        groupColumns.add(name);
        groupExpressions.add(body.sql());
      }
    }
    if (groupColumns.size() != groups.size()) {
      return no("a group expression is not an output column");
    }
    if (!groupColumns.contains(table.slice())) {
      return no("the slice column " + table.slice() + " is not a group key");
    }
    // The aggregate calls that are output columns by themselves: their stored values merge.
    Map<Expression, String> stored = new LinkedHashMap<>();
    String member = null;
    for (var o : outputs.entrySet()) {
      if (!groupColumns.contains(o.getKey()) && o.getValue() instanceof UnresolvedFunction f) {
        if (combinable(f)) {
          stored.putIfAbsent(f, o.getKey());
        }
      }
    }
    Map<String, String> merged = new LinkedHashMap<>();
    int found = 0;
    for (var o : outputs.entrySet()) {
      String column = o.getKey();
      if (groupColumns.contains(column)) {
        continue;
      }
      Expression body = o.getValue();
      List<UnresolvedFunction> aggregates = new ArrayList<>();
      collectAggregates(body, aggregates);
      if (aggregates.isEmpty()) {
        return no("the column " + column + " is neither a group key nor an aggregate");
      }
      for (UnresolvedFunction f : aggregates) {
        if (!combinable(f)) {
          return no(
              "the column " + column + " uses " + f.prettyName() + " in a way a merge cannot");
        }
        if (f.isDistinct()) {
          String m = ((UnresolvedAttribute) f.arguments().head()).name();
          if (member != null && !member.equals(m)) {
            return no("its distinct counts count more than one column");
          }
          member = m;
        }
      }
      found += aggregates.size();
      String t = "t." + Sql.identifier(column);
      String s = "s." + Sql.identifier(column);
      if (body instanceof UnresolvedFunction f && COMBINABLE.contains(name(f))) {
        merged.put(column, combine(name(f), t, s));
      } else if (isCoalescedToZero(body)) {
        merged.put(column, t + " + " + s);
      } else {
        // An expression over aggregates: each must be stored in a column of its own.
        Map<String, String> placeholders = new LinkedHashMap<>();
        Expression replaced =
            replace(
                body,
                f -> {
                  String holder = stored.get(f);
                  if (holder == null) {
                    return null;
                  }
                  String placeholder = "__merged_" + placeholders.size() + "__";
                  placeholders.put(placeholder, merged(holder, f));
                  return new UnresolvedAttribute(
                      CollectionConverters.asScala(List.of(placeholder)).toSeq());
                });
        if (replaced == null) {
          return no("the column " + column + " uses an aggregate that is not a column of its own");
        }
        String sql = replaced.sql();
        for (var p : placeholders.entrySet()) {
          sql = sql.replace(p.getKey(), "(" + p.getValue() + ")");
        }
        merged.put(column, sql);
      }
    }
    if (found != calls) {
      return no(OTHER_FUNCTION);
    }
    if (member != null && memberReadElsewhere(aggregate, member)) {
      return no("the distinct column " + member + " is read by more than its distinct counts");
    }
    IncrementalAggregate plan =
        new IncrementalAggregate(
            query,
            placed,
            aggregate,
            // A streaming table closes slices by its watermark: its gold rows are copied from the
            // kept aggregates of the slices still open, not merged into. An average's sum and
            // count are columns the table does not have.
            query != placed || table.refresh() == Refresh.STREAMING || aggregate != placed,
            List.copyOf(groupColumns),
            List.copyOf(groupExpressions),
            member,
            merged,
            table.slice(),
            rowCount);
    if (table.refresh() == Refresh.STREAMING) {
      List<String> read = List.of(rows(spark, aggregate.child()).columns());
      for (String column : List.of(table.slice(), table.eventTime())) {
        if (read.stream().noneMatch(column::equalsIgnoreCase)) {
          // The watermark and the closed slices are read off the rows the query aggregates.
          return no("the rows its aggregation reads lack the column " + column);
        }
      }
    }
    Optional<String> unfit = plan.tryOn(spark, table);
    if (unfit.isPresent()) {
      return no(unfit.get());
    }
    if (plan.keepsAggregates) {
      // An empty relation of the aggregates' columns: the leaf the walk stops at.
      Dataset<Row> none = spark.createDataFrame(List.of(), rows(spark, aggregate).schema());
      plan.sliceLocal = sliceLocal(analysed(plan.fromAggregates(spark, none)), table.slice());
    }
    return new Analysis(Optional.of(plan), "");
  }

  /**
   * Analyses, without running them, what each batch will run: the member key over the source rows,
   * the aggregation of marked rows (whose columns must be the query's) and the merged values over
   * two rows of the table. Empty when all of it analyses.
   */
  private Optional<String> tryOn(SparkSession spark, GoldTable table) {
    try {
      Dataset<Row> grouped = rows(spark, aggregate);
      Dataset<Row> source = rows(spark, aggregate.child());
      if (member != null) {
        source.selectExpr(
            "struct(" + String.join(", ", groupExpressions) + ", " + Sql.identifier(member) + ")");
      }
      Dataset<Row> marked = source.withColumn(NEW_MEMBER, org.apache.spark.sql.functions.lit(true));
      if (!columns(aggregates(marked)).equals(columns(grouped))) {
        return Optional.of("its aggregates over a batch do not have the query's columns");
      }
      Dataset<Row> t = grouped.where("false");
      t.as("t").crossJoin(t.as("s")).selectExpr(merged.values().toArray(String[]::new)).schema();
      if (keepsAggregates
          && !columns(fromAggregates(spark, t)).equals(columns(spark.sql(table.sql())))) {
        return Optional.of("its query over its kept aggregates does not have the query's columns");
      }
      return Optional.empty();
    } catch (Exception e) { // Spark's AnalysisException is checked in Java's eyes but not declared
      return Optional.of(
          "what a batch would merge does not analyse: "
              + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
  }

  /** A dataset's column names and types. */
  private static List<String> columns(Dataset<Row> rows) {
    return java.util.Arrays.stream(rows.schema().fields())
        .map(f -> f.name() + " " + f.dataType().sql())
        .toList();
  }

  private static Analysis no(String reason) {
    return new Analysis(Optional.empty(), reason);
  }

  List<String> groupColumns() {
    return groupColumns;
  }

  /** The group expressions as SQL over the query's source rows, in the order of the columns. */
  List<String> groupExpressions() {
    return groupExpressions;
  }

  /** The source column whose distinct members the query counts, or null for none. */
  String member() {
    return member;
  }

  String slice() {
    return slice;
  }

  /**
   * Whether the query joins its sources: each batch then merges the change of its aggregates that
   * the batch's change of every source makes ({@link SourceChanges}, {@link #changedAggregates}),
   * and a group whose {@link #rowCount} falls to zero is deleted.
   */
  boolean joined() {
    return rowCount != null;
  }

  /** For a {@link #joined} query, its column that counts a group's rows; else null. */
  String rowCount() {
    return rowCount;
  }

  /**
   * One term of a change of a {@link #joined} query's aggregates: the query over {@code sources}
   * (qualified name to rows), added or subtracted.
   */
  record Change(Map<String, Dataset<Row>> sources, boolean subtracted) {}

  /**
   * The change a batch makes to a {@link #joined} query's aggregates: per group, the sum of the
   * terms' counts, a subtracted term's negated, leaving out the groups where they cancel.
   */
  Dataset<Row> changedAggregates(SparkSession spark, List<Change> terms) {
    List<String> counts = new ArrayList<>(merged.keySet());
    Dataset<Row> all = null;
    for (Change term : terms) {
      Dataset<Row> aggregates = rows(spark, substitute(aggregate, term.sources()));
      if (term.subtracted()) {
        List<Column> negated = new ArrayList<>();
        for (String c : aggregates.columns()) {
          Column column = col(Sql.identifier(c));
          negated.add(counts.contains(c) ? column.multiply(-1L).as(c) : column);
        }
        aggregates = aggregates.select(negated.toArray(Column[]::new));
      }
      all = all == null ? aggregates : all.unionByName(aggregates);
    }
    if (all == null) {
      return rows(spark, aggregate).where("false");
    }
    List<Column> sums = new ArrayList<>();
    Column changed = org.apache.spark.sql.functions.lit(false);
    for (String c : counts) {
      sums.add(org.apache.spark.sql.functions.sum(col(Sql.identifier(c))).as(c));
      changed = changed.or(col(Sql.identifier(c)).notEqual(0L));
    }
    Dataset<Row> summed =
        all.groupBy(groupColumns.stream().map(c -> col(Sql.identifier(c))).toArray(Column[]::new))
            .agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new));
    return summed
        .where(changed)
        .select(
            java.util.Arrays.stream(all.columns())
                .map(c -> col(Sql.identifier(c)))
                .toArray(Column[]::new));
  }

  /**
   * Per aggregate column, its value after a merge: SQL over the table's row {@code t} and the
   * batch's {@code s}.
   */
  Map<String, String> merged() {
    return merged;
  }

  /**
   * The query's aggregates (the table's rows, unless it {@link #keepsAggregates}), with each source
   * table read from {@code sources} instead.
   */
  Dataset<Row> rows(SparkSession spark, Map<String, Dataset<Row>> sources) {
    return rows(spark, substitute(aggregate, sources));
  }

  /**
   * Whether the table is computed from its aggregates kept apart (a ranking or filter over them, or
   * a streaming table that closes slices) rather than being its aggregates, merged in place.
   */
  boolean keepsAggregates() {
    return keepsAggregates;
  }

  /**
   * Whether the table's rows of a slice follow from the kept aggregates of that slice alone, so
   * that recomputing a slice reads only those: true when the query over the aggregates only
   * projects, filters and computes windows partitioned by the slice column (a ranking per date); a
   * window over other columns, an ordering, a limit or an aggregation may mix slices.
   */
  boolean sliceLocal() {
    return sliceLocal;
  }

  /** The table's rows computed from its aggregates ({@link #rows}) instead of its sources. */
  Dataset<Row> fromAggregates(SparkSession spark, Dataset<Row> aggregates) {
    List<String> parts =
        java.util.Arrays.stream(aggregates.columns())
            .filter(c -> c.startsWith(AVERAGE_PARTS))
            .toList();
    LogicalPlan kept = logical(aggregates.drop(parts.toArray(String[]::new)));
    return rows(
        spark,
        query.transformUp(
            new AbstractPartialFunction<LogicalPlan, LogicalPlan>() {
              @Override
              public boolean isDefinedAt(LogicalPlan p) {
                return p == placed;
              }

              @Override
              public LogicalPlan apply(LogicalPlan p) {
                return kept;
              }
            }));
  }

  /**
   * The rows the query aggregates (its {@code FROM}, with every projection, union and filter under
   * the aggregation), with each source table read from {@code sources} instead, by qualified name.
   */
  Dataset<Row> sourceRows(SparkSession spark, Map<String, Dataset<Row>> sources) {
    return rows(spark, substitute(aggregate.child(), sources));
  }

  /**
   * The batch's aggregates, one row per group in the table's columns: the query over {@code
   * sourceRows}, whose distinct counts count only the members {@link #NEW_MEMBER} marks (when the
   * query has any).
   */
  Dataset<Row> aggregates(Dataset<Row> sourceRows) {
    Dataset<Row> input = sourceRows;
    if (member != null) {
      // The distinct counts see each member once, in the row that brought it to its group.
      Column quoted = col(Sql.identifier(member));
      input = input.withColumn(member, when(col(NEW_MEMBER), quoted));
    }
    LogicalPlan child = logical(input);
    return rows(
        input.sparkSession(),
        aggregate.withNewChildren(
            CollectionConverters.asScala(List.<LogicalPlan>of(child)).toSeq()));
  }

  /**
   * The aggregation with each {@code avg(x)} (or {@code mean}) computed as {@code
   * try_divide(sum(x), count(x))}, the sum and the count each added as an output column of its own
   * ({@value #AVERAGE_PARTS}…), so that a merge can add them up; the aggregation itself when it has
   * none.
   */
  private static Aggregate withAveragesSplit(SparkSession spark, Aggregate aggregate) {
    List<NamedExpression> parts = new ArrayList<>();
    List<NamedExpression> outputs = new ArrayList<>();
    for (NamedExpression n : CollectionConverters.asJava(aggregate.aggregateExpressions())) {
      Expression split =
          ((Expression) n)
              .transformUp(
                  new AbstractPartialFunction<Expression, Expression>() {
                    @Override
                    public boolean isDefinedAt(Expression e) {
                      return e instanceof UnresolvedFunction f && isAverage(f);
                    }

                    @Override
                    public Expression apply(Expression e) {
                      Expression argument = ((UnresolvedFunction) e).arguments().head();
                      int i = parts.size() / 2;
                      List<NamedExpression> written =
                          selected(
                              spark,
                              "SELECT sum(__x) AS "
                                  + AVERAGE_PARTS
                                  + "sum_"
                                  + i
                                  + ", count(__x) AS "
                                  + AVERAGE_PARTS
                                  + "count_"
                                  + i
                                  + ", try_divide(sum(__x), count(__x)) AS average");
                      parts.add(
                          (NamedExpression) withArgument((Expression) written.get(0), argument));
                      parts.add(
                          (NamedExpression) withArgument((Expression) written.get(1), argument));
                      return withArgument(((Alias) written.get(2)).child(), argument);
                    }
                  });
      outputs.add((NamedExpression) split);
    }
    if (parts.isEmpty()) {
      return aggregate;
    }
    outputs.addAll(parts);
    return new Aggregate(
        aggregate.groupingExpressions(),
        CollectionConverters.asScala(outputs).toList(),
        aggregate.child(),
        aggregate.hint());
  }

  private static boolean isAverage(UnresolvedFunction f) {
    return f.nameParts().size() == 1
        && (name(f).equals("avg") || name(f).equals("mean"))
        && f.arguments().size() == 1
        && !f.isDistinct()
        && f.filter().isEmpty()
        && !f.ignoreNulls()
        && f.orderingWithinGroup().isEmpty();
  }

  /** The expressions a parsed {@code SELECT} without {@code FROM} selects. */
  private static List<NamedExpression> selected(SparkSession spark, String select) {
    try {
      return CollectionConverters.asJava(
          ((Project) spark.sessionState().sqlParser().parsePlan(select)).projectList());
    } catch (ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code template} with its placeholder column {@code __x} replaced by {@code argument}. */
  private static Expression withArgument(Expression template, Expression argument) {
    return template.transformUp(
        new AbstractPartialFunction<Expression, Expression>() {
          @Override
          public boolean isDefinedAt(Expression e) {
            return e instanceof UnresolvedAttribute a && a.name().equals("__x");
          }

          @Override
          public Expression apply(Expression e) {
            return argument;
          }
        });
  }

  private static String merged(String column, UnresolvedFunction f) {
    return combine(name(f), "t." + Sql.identifier(column), "s." + Sql.identifier(column));
  }

  private static String combine(String function, String t, String s) {
    return switch (function) {
      case "min" -> "least(" + t + ", " + s + ")";
      case "max" -> "greatest(" + t + ", " + s + ")";
      // A sum over no values is null, and null plus a number is null.
      case "sum" -> "coalesce(" + t + " + " + s + ", " + t + ", " + s + ")";
      default -> t + " + " + s;
    };
  }

  private static boolean combinable(UnresolvedFunction f) {
    if (f.nameParts().size() != 1 || !COMBINABLE.contains(name(f)) || f.filter().isDefined()) {
      return false;
    }
    if (f.ignoreNulls() || !f.orderingWithinGroup().isEmpty()) {
      return false;
    }
    if (f.isDistinct()) {
      return name(f).equals("count")
          && f.arguments().size() == 1
          && f.arguments().head() instanceof UnresolvedAttribute a
          && a.nameParts().size() == 1;
    }
    return true;
  }

  private static boolean isCoalescedToZero(Expression body) {
    return body instanceof UnresolvedFunction c
        && name(c).equals("coalesce")
        && c.arguments().size() == 2
        && c.arguments().head() instanceof UnresolvedFunction f
        && combinable(f)
        && !f.isDistinct()
        && (name(f).equals("sum") || name(f).startsWith("count"))
        && c.arguments().last() instanceof Literal zero
        && zero.value() != null
        && "0".equals(zero.value().toString());
  }

  private static String name(UnresolvedFunction f) {
    return f.nameParts().last().toLowerCase(Locale.ROOT);
  }

  /**
   * The aggregate calls in an expression, outermost first; an aggregate's arguments are not
   * searched (an aggregate inside one does not analyse).
   */
  private static void collectAggregates(Expression e, List<UnresolvedFunction> found) {
    if (e instanceof UnresolvedFunction f && COMBINABLE.contains(name(f))) {
      found.add(f);
      return;
    }
    for (Expression c : CollectionConverters.asJava(e.children())) {
      collectAggregates(c, found);
    }
  }

  /** The expression with each aggregate call replaced, or null if one cannot be. */
  private static Expression replace(
      Expression e, Function<UnresolvedFunction, Expression> replacement) {
    if (e instanceof UnresolvedFunction f && COMBINABLE.contains(name(f))) {
      return replacement.apply(f);
    }
    List<Expression> children = new ArrayList<>();
    for (Expression c : CollectionConverters.asJava(e.children())) {
      Expression r = replace(c, replacement);
      if (r == null) {
        return null;
      }
      children.add(r);
    }
    return children.isEmpty()
        ? e
        : e.withNewChildren(CollectionConverters.asScala(children).toSeq());
  }

  private static boolean memberReadElsewhere(Aggregate aggregate, String member) {
    List<String> names = new ArrayList<>();
    for (Expression g : CollectionConverters.asJava(aggregate.groupingExpressions())) {
      attributes(g, names);
    }
    for (NamedExpression n : CollectionConverters.asJava(aggregate.aggregateExpressions())) {
      attributes((Expression) n, names);
    }
    return names.stream().anyMatch(n -> n.equalsIgnoreCase(member));
  }

  /** The attribute names an expression reads, leaving out the arguments of distinct counts. */
  private static void attributes(Expression e, List<String> names) {
    if (e instanceof UnresolvedFunction f && f.isDistinct()) {
      return;
    }
    if (e instanceof UnresolvedAttribute a) {
      names.add(a.nameParts().last());
    }
    for (Expression c : CollectionConverters.asJava(e.children())) {
      attributes(c, names);
    }
  }

  private static int analysedAggregates(SparkSession spark, Aggregate aggregate) {
    LogicalPlan analysed =
        ((org.apache.spark.sql.classic.Dataset<Row>) rows(spark, aggregate))
            .queryExecution()
            .analyzed();
    if (!(analysed instanceof Aggregate a)) {
      return -1;
    }
    int count = 0;
    for (NamedExpression n : CollectionConverters.asJava(a.aggregateExpressions())) {
      count += countAggregates((Expression) n);
    }
    return count < OTHER ? count : -1;
  }

  private static LogicalPlan analysed(Dataset<Row> rows) {
    return ((org.apache.spark.sql.classic.Dataset<Row>) rows).queryExecution().analyzed();
  }

  /** See {@link #sliceLocal()}: the analysed query over the kept aggregates, a leaf. */
  private static boolean sliceLocal(LogicalPlan plan, String slice) {
    if (plan.children().isEmpty()) {
      return true;
    }
    if (plan instanceof Window w) {
      boolean bySlice =
          CollectionConverters.asJava(w.partitionSpec()).stream()
              .anyMatch(e -> e instanceof Attribute a && a.name().equalsIgnoreCase(slice));
      if (!bySlice) {
        return false;
      }
    } else if (!(plan instanceof Project
        || plan instanceof Filter
        || plan instanceof SubqueryAlias
        || plan instanceof View)) {
      return false;
    }
    return CollectionConverters.asJava(plan.children()).stream()
        .allMatch(c -> sliceLocal(c, slice));
  }

  /** The query with each of its common table expressions ({@code WITH}) put where it is named. */
  private static LogicalPlan withCtesInlined(LogicalPlan parsed) {
    if (!(parsed instanceof UnresolvedWith with)) {
      return parsed;
    }
    Map<String, LogicalPlan> named = new HashMap<>();
    for (Tuple2<String, SubqueryAlias> cte : CollectionConverters.asJava(with.cteRelations())) {
      named.put(cte._1().toLowerCase(Locale.ROOT), inline(cte._2(), named));
    }
    return inline(with.child(), named);
  }

  private static LogicalPlan inline(LogicalPlan plan, Map<String, LogicalPlan> named) {
    return plan.transformUp(
        new AbstractPartialFunction<LogicalPlan, LogicalPlan>() {
          @Override
          public boolean isDefinedAt(LogicalPlan p) {
            return p instanceof UnresolvedRelation r
                && r.multipartIdentifier().size() == 1
                && named.containsKey(qualified(r));
          }

          @Override
          public LogicalPlan apply(LogicalPlan p) {
            return named.get(qualified((UnresolvedRelation) p));
          }
        });
  }

  /** The aggregations of a plan, each once however often it is read. */
  private static void collectAggregations(LogicalPlan plan, List<Aggregate> found) {
    if (plan instanceof Aggregate a && found.stream().noneMatch(f -> f == a)) {
      found.add(a);
    }
    for (LogicalPlan child : CollectionConverters.asJava(plan.children())) {
      collectAggregations(child, found);
    }
  }

  private static boolean containsJoin(LogicalPlan plan) {
    return plan instanceof org.apache.spark.sql.catalyst.plans.logical.Join
        || CollectionConverters.asJava(plan.children()).stream()
            .anyMatch(IncrementalAggregate::containsJoin);
  }

  private static boolean containsHaving(LogicalPlan plan) {
    return plan instanceof UnresolvedHaving
        || CollectionConverters.asJava(plan.children()).stream()
            .anyMatch(IncrementalAggregate::containsHaving);
  }

  private static int countAggregates(Expression e) {
    if (e instanceof AggregateExpression a) {
      String name = a.aggregateFunction().prettyName().toLowerCase(Locale.ROOT);
      return COMBINABLE.contains(name) ? 1 : OTHER;
    }
    int count = 0;
    for (Expression c : CollectionConverters.asJava(e.children())) {
      count += countAggregates(c);
    }
    return count;
  }

  private static String outputName(Expression body) {
    return body instanceof UnresolvedAttribute a ? a.nameParts().last() : null;
  }

  private static LogicalPlan substitute(LogicalPlan plan, Map<String, Dataset<Row>> sources) {
    return plan.transformUp(
        new AbstractPartialFunction<LogicalPlan, LogicalPlan>() {
          @Override
          public boolean isDefinedAt(LogicalPlan p) {
            return p instanceof UnresolvedRelation r && sources.containsKey(qualified(r));
          }

          @Override
          public LogicalPlan apply(LogicalPlan p) {
            UnresolvedRelation r = (UnresolvedRelation) p;
            // Named as the table was, so that columns qualified by its name still resolve.
            return SubqueryAlias$.MODULE$.apply(
                r.multipartIdentifier().last(), logical(sources.get(qualified(r))));
          }
        });
  }

  private static String qualified(UnresolvedRelation r) {
    return String.join(".", CollectionConverters.asJava(r.multipartIdentifier()))
        .toLowerCase(Locale.ROOT);
  }

  private static LogicalPlan logical(Dataset<Row> rows) {
    return ((org.apache.spark.sql.classic.Dataset<Row>) rows).logicalPlan();
  }

  private static Dataset<Row> rows(SparkSession spark, LogicalPlan plan) {
    return org.apache.spark.sql.classic.Dataset.ofRows(
        (org.apache.spark.sql.classic.SparkSession) spark, plan);
  }
}
