package io.medallion.silver;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.delta.tables.DeltaTable;
import io.medallion.core.error.MedallionException;
import io.medallion.core.error.SpecException;
import io.medallion.core.lake.BronzeContract;
import io.medallion.core.lake.DeltaWriter;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spark.BatchContext;
import io.medallion.core.spec.Pipeline.Expectation;
import io.medallion.core.spec.Pipeline.ExpectationAction;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.Pipeline.WriteMode;
import io.medallion.silver.SilverRecords.Counts;
import io.medallion.silver.SilverRecords.RuleResult;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refines one silver table, one batch of bronze rows at a time: parse, transform, expectations,
 * deduplication, then the writes.
 *
 * <p>The writes of a batch happen in this order, each idempotent, so that a crash between any two
 * and a replay of the batch leave every table written exactly once:
 *
 * <ol>
 *   <li>the batch's reconciliation, its rule results and its quarantined rows, side by side (each
 *       with a Delta transaction id);
 *   <li>the silver table (transaction id for append; MERGE conditions for SCD1 and SCD2).
 * </ol>
 *
 * All counts are computed before the first write, from the batch and the table as they were, so a
 * replay records nothing different.
 */
public final class TableRefiner {
  private static final Logger LOG = LoggerFactory.getLogger(TableRefiner.class);

  /**
   * Fault point between the quarantine write and the silver write of a batch: {@code
   * after-quarantine:<table>}, such as {@code after-quarantine:silver.plays}.
   */
  public static final String AFTER_QUARANTINE = "after-quarantine:";

  /**
   * Fault point inside the key state's operator ({@link KeyStates}), where it found a held key's
   * re-send, after the key's state was written and before the batch's state is committed: {@code
   * key-state:<table>}, such as {@code key-state:silver.plays}.
   */
  public static final String KEY_STATE = "key-state:";

  private static final String DUPLICATE = "__duplicate";
  private static final String CONFLICT = "__conflict";
  private static final String MARK_PARTITION = "__mark_partition";
  private static final String MARK_OFFSET = "__mark_offset";

  private final SilverTable table;
  private final LakeLayout lake;
  private final JsonPayloadParser parser;
  private final TableTransform transform;
  private final Expectations expectations;
  private final SilverWriter writer;
  private final DeltaWriter delta;
  private final KeyStates keyStates;
  private List<String> schemaChanges = List.of();
  private StructType rowSchema;

  /**
   * @param delta how the refiner's writes are made idempotent and retried
   */
  public TableRefiner(SilverTable table, LakeLayout lake, DeltaWriter delta) {
    this.table = table;
    this.lake = lake;
    this.delta = delta;
    this.parser = new JsonPayloadParser(table.payload());
    this.transform = new TableTransform(table.transform());
    this.expectations = new Expectations(table.expectations());
    boolean conflicts = conflictRule(table) >= 0;
    this.writer =
        SilverWriter.of(
            table.write(),
            lake.table(Layer.SILVER, table.name()),
            lake.tombstones(table.name()),
            delta,
            conflicts);
    this.keyStates =
        table.write().keysInState()
            ? new KeyStates(table.qualifiedName(), table.write(), parser, conflicts)
            : null;
  }

  /**
   * The bronze stream marked with what the query's key state says of each record ({@link
   * KeyStates}), for a table that holds its keys in state; else the bronze stream as it is.
   *
   * @param silver the stream of the rows this table gains
   */
  public Dataset<Row> markKeys(Dataset<Row> bronze, Supplier<Dataset<Row>> silver) {
    if (keyStates == null) {
      return bronze;
    }
    if (rowSchema == null) {
      throw new IllegalStateException("prepare " + table.qualifiedName() + " before its stream");
    }
    return keyStates.mark(bronze, silver.get(), rowSchema);
  }

  /** How this refiner writes to Delta. */
  DeltaWriter delta() {
    return delta;
  }

  /** The table this refiner writes. */
  public SilverTable table() {
    return table;
  }

  /**
   * What the next job would change in the columns of this table in {@code target} to follow the
   * spec, changing nothing; run after {@link #prepare}, which analysed the spec.
   *
   * @throws SpecException for a change the table cannot take, as the job would report it
   */
  public List<String> pendingSchemaChanges(SparkSession spark, LakeLayout target) {
    return SchemaEvolution.check(
            spark, target.table(Layer.SILVER, table.name()), writer.tableSchema(rowSchema), table)
        .describe();
  }

  /**
   * What {@link #prepare} changed in the table's columns to follow the spec, one line each, such as
   * {@code widened column position_s from int to bigint}; empty when nothing changed.
   */
  public List<String> schemaChanges() {
    return schemaChanges;
  }

  /**
   * Checks the transformation, rules and write columns against the real schemas, on no data, and
   * creates the tables, or adds the columns the spec added to them ({@link SchemaEvolution}). A
   * mistake is reported with the spec's line before any data is touched.
   */
  public void prepare(SparkSession spark) {
    prepare(spark, false);
  }

  /**
   * Like {@link #prepare(SparkSession)}; with {@code rebuild}, a table whose columns no longer fit
   * the spec is emptied and given the spec's columns (for a full refresh, which rebuilds it).
   */
  void prepare(SparkSession spark, boolean rebuild) {
    Dataset<Row> empty = spark.createDataFrame(List.of(), BronzeContract.SCHEMA);
    Dataset<Row> parsed = parser.parse(empty).where(JsonPayloadParser.REJECT + " IS NULL");
    Dataset<Row> transformed;
    try {
      transformed = transform.apply(parsed.drop(JsonPayloadParser.REJECT));
      transformed.schema();
    } catch (Exception e) { // Spark's AnalysisException is checked in Java's eyes but not declared
      throw specError(table.transform().specKey(), table.transform().specLine(), e);
    }
    List<String> columns = Arrays.asList(transformed.columns());
    for (String carried : SilverColumns.CARRIED) {
      if (!columns.contains(carried)) {
        throw new SpecException(
            table.specFile().toString(),
            table.transform().specLine(),
            table.transform().specKey(),
            "the transform of " + table.qualifiedName() + " drops the column " + carried,
            "Keep the lineage and raw columns: select *, or list "
                + String.join(", ", SilverColumns.CARRIED)
                + ".");
      }
    }
    for (Expectation r : table.expectations()) {
      List<String> names = r.isUnique() ? r.unique() : List.of();
      try {
        if (r.isUnique()) {
          transformed
              .selectExpr(names.stream().map(JsonPayloadParser::quote).toArray(String[]::new))
              .schema();
        } else {
          StructType type = transformed.selectExpr(r.rule()).schema();
          if (!(type.fields()[0].dataType() instanceof BooleanType)) {
            throw new SpecException(
                table.specFile().toString(),
                r.specLine(),
                r.specKey(),
                "rule "
                    + r.name()
                    + " is not a condition: it gives "
                    + type.fields()[0].dataType().simpleString(),
                "Write a SQL condition that is true for a good row, such as position_s >= 0.");
          }
        }
      } catch (SpecException e) {
        throw e;
      } catch (Exception e) {
        throw specError(r.specKey(), r.specLine(), e);
      }
    }
    String writeKey = "silver.tables." + table.name() + ".write";
    List<String> writeColumns = new ArrayList<>(table.write().keys());
    Stream.of(table.write().sequenceBy(), table.write().effectiveAt())
        .filter(c -> !c.isEmpty())
        .forEach(writeColumns::add);
    writeColumns.addAll(table.write().partitionBy());
    for (String c : writeColumns) {
      if (!columns.contains(c)) {
        throw new SpecException(
            table.specFile().toString(),
            0,
            writeKey,
            "column '"
                + c
                + "' named in the write of "
                + table.qualifiedName()
                + " is not a column",
            "Use columns of the transformed rows: " + String.join(", ", columns) + ".");
      }
    }
    if (!table.write().deleteWhen().isEmpty()) {
      try {
        transformed.selectExpr(table.write().deleteWhen()).schema();
      } catch (Exception e) {
        throw specError(writeKey + ".delete_when", 0, e);
      }
    }
    StructType rows = rowSchema(transformed);
    rowSchema = rows;
    String path = lake.table(Layer.SILVER, table.name());
    if (rebuild) {
      schemaChanges = replaceColumnsIfChanged(spark, path, writer.tableSchema(rows));
    } else {
      schemaChanges =
          SchemaEvolution.evolve(spark, path, writer.tableSchema(rows), table).describe();
      schemaChanges.forEach(c -> LOG.info("{}: {} of the spec", table.qualifiedName(), c));
    }
    writer.create(spark, rows);
    QuarantineTable.create(spark, lake);
    SilverRecords.create(spark, lake);
  }

  /**
   * Empties a table whose columns differ from {@code wanted} and gives it those columns.
   *
   * @return what changed, one line each (empty if the table fit or did not exist)
   */
  private List<String> replaceColumnsIfChanged(SparkSession spark, String path, StructType wanted) {
    if (!DeltaTable.isDeltaTable(spark, path)) {
      return List.of();
    }
    SchemaEvolution.Change change =
        SchemaEvolution.between(DeltaTable.forPath(spark, path).toDF().schema(), wanted);
    if (change.none()) {
      return List.of();
    }
    spark
        .createDataFrame(List.of(), wanted)
        .write()
        .format("delta")
        .mode("overwrite")
        .option("overwriteSchema", "true")
        .partitionBy(table.write().partitionBy().toArray(String[]::new))
        .save(path);
    LOG.info("{}: emptied and given the spec's columns, to be rebuilt", table.qualifiedName());
    List<String> lines = new ArrayList<>(change.describe());
    change.incompatible().forEach(c -> lines.add("rebuilt: " + c));
    return lines;
  }

  private static StructType rowSchema(Dataset<Row> transformed) {
    return transformed.drop(SilverColumns.RAW, SilverColumns.RAW_ENCODING).schema();
  }

  private SpecException specError(String key, int line, Exception e) {
    String message = String.valueOf(e.getMessage()).strip();
    int nl = message.indexOf('\n');
    return new SpecException(
        table.specFile().toString(),
        line,
        key,
        "in " + table.qualifiedName() + ": " + (nl < 0 ? message : message.substring(0, nl)),
        "Use the payload's fields and the columns "
            + String.join(", ", SilverColumns.CARRIED)
            + "; a SQL transform reads the view input.");
  }

  /** Refines one streaming micro-batch of bronze rows. */
  public Counts refineStreamingBatch(Dataset<Row> bronze, BatchContext batch) {
    if (!Arrays.asList(bronze.columns()).contains(KeyStates.COLUMN)) {
      Counts counts = refine(bronze, batch.appId(), batch.batchId(), new StreamOutcome(batch));
      batch.output(counts.accepted());
      return counts;
    }
    // Computed once: the batch runs the key state's operator, which must not run again per read.
    Dataset<Row> marked = bronze.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      if (marked.isEmpty()) {
        // Only rows the table gained (the batch after a write): the state learnt their keys and
        // there is nothing to refine or record.
        batch.output(0);
        return new Counts(0, 0, 0, 0, 0);
      }
      Dataset<Row> marks =
          broadcast(
              marked.select(
                  col(BronzeContract.PARTITION).as(MARK_PARTITION),
                  col(BronzeContract.OFFSET).as(MARK_OFFSET),
                  col(KeyStates.COLUMN),
                  col(KeyStates.HELD_HASH)));
      Counts counts =
          refine(
              marked.drop(KeyStates.COLUMN),
              batch.batchId(),
              new StreamOutcome(batch),
              (candidates, count) ->
                  writer.plan(
                      candidates
                          .join(
                              marks,
                              col(SilverColumns.SOURCE_PARTITION)
                                  .equalTo(col(MARK_PARTITION))
                                  .and(col(SilverColumns.SOURCE_OFFSET).equalTo(col(MARK_OFFSET))),
                              "left")
                          .drop(MARK_PARTITION, MARK_OFFSET),
                      count,
                      batch.appId(),
                      batch.batchId()));
      batch.output(counts.accepted());
      return counts;
    } finally {
      marked.unpersist();
    }
  }

  /**
   * What a refined batch records besides the silver table: a streaming batch records its counts and
   * appends its rejects to quarantine; a quarantine reprocess records what moved out.
   */
  interface Outcome {
    /** Before the silver write: records the counts and results, writes rejects if it should. */
    void beforeWrite(Counts counts, List<RuleResult> results, Dataset<Row> rejects);

    /** After the silver write. */
    default void afterWrite(Dataset<Row> rejects) {}
  }

  private final class StreamOutcome implements Outcome {
    private final BatchContext batch;

    StreamOutcome(BatchContext batch) {
      this.batch = batch;
    }

    @Override
    public void beforeWrite(Counts counts, List<RuleResult> results, Dataset<Row> rejects) {
      SparkSession spark = rejects.sparkSession();
      // A batch without rejects has nothing a replay could write twice: no commit for it (every
      // Delta commit costs a rebuild of the table's state).
      List<Runnable> quarantine =
          counts.quarantined() > 0
              ? List.of(
                  () ->
                      delta.appendOnce(
                          rejects, QuarantineTable.path(lake), batch.appId(), batch.batchId()))
              : List.of();
      SilverRecords.record(
          spark,
          lake,
          delta,
          batch.events(),
          table.qualifiedName(),
          SilverRecords.KIND_STREAM,
          batch.appId(),
          batch.batchId(),
          counts,
          results,
          quarantine);
    }
  }

  /**
   * Refines a batch and writes it.
   *
   * @param bronze rows with the bronze contract's columns
   * @param appId the Delta application id of the silver write
   * @param version the transaction version of the silver write (the batch id)
   * @param outcome what else the batch records
   */
  Counts refine(Dataset<Row> bronze, String appId, long version, Outcome outcome) {
    return refine(
        bronze,
        version,
        outcome,
        (candidates, count) -> writer.plan(candidates, count, appId, version));
  }

  /**
   * Refines bronze rows and replaces the table's rows in {@code range} (a SQL condition on silver
   * columns, which every row refined from {@code bronze} meets) with the result, in one commit.
   */
  Counts replace(Dataset<Row> bronze, String range, Outcome outcome) {
    return refine(
        bronze, 0, outcome, (candidates, count) -> writer.planReplacing(candidates, count, range));
  }

  /** How a refined batch's valid rows become a write. */
  private interface Planner {
    SilverWriter.Planned plan(Dataset<Row> candidates, long candidateCount);
  }

  private Counts refine(Dataset<Row> bronze, long version, Outcome outcome, Planner planner) {
    Timestamp now = Timestamp.from(Instant.now());
    StepTimes steps = new StepTimes();
    Dataset<Row> parsed = parser.parse(bronze).persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> evaluated = null;
    SilverWriter.Planned planned = null;
    try {
      long bronzeRows = 0;
      long parseRejects = 0;
      List<Row> parseCounts =
          parsed.groupBy(expr(JsonPayloadParser.REJECT + ".rule AS rule")).count().collectAsList();
      for (Row r : parseCounts) {
        bronzeRows += r.getLong(1);
        if (!r.isNullAt(0)) {
          parseRejects += r.getLong(1);
        }
      }
      long parsedRows = bronzeRows - parseRejects;
      steps.lap("parse");
      Dataset<Row> transformed =
          transform.apply(
              parsed.where(JsonPayloadParser.REJECT + " IS NULL").drop(JsonPayloadParser.REJECT));
      evaluated =
          dedupe(expectations.evaluate(transformed)).persist(StorageLevel.MEMORY_AND_DISK());

      List<Column> sums = new ArrayList<>();
      sums.add(expr("count(*)"));
      sums.add(expr("count_if(" + Expectations.QUARANTINE + " IS NOT NULL)"));
      sums.add(expr("count_if(" + Expectations.DROP + ")"));
      sums.add(expr("count_if(" + DUPLICATE + ")"));
      for (int i = 0; i < table.expectations().size(); i++) {
        sums.add(expr("count_if(" + Expectations.failed(i) + ")"));
      }
      Row totals =
          evaluated.agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new)).first();
      long transformedRows = totals.getLong(0);
      steps.lap("evaluate");
      long ruleQuarantined = totals.getLong(1);
      long ruleDropped = totals.getLong(2);
      long batchDuplicates = totals.getLong(3);
      List<RuleResult> results = new ArrayList<>();
      results.add(new RuleResult("parse", "quarantine", parsedRows, parseRejects));
      for (int i = 0; i < table.expectations().size(); i++) {
        Expectation r = table.expectations().get(i);
        long failed = totals.getLong(4 + i);
        results.add(
            new RuleResult(r.name(), Expectations.action(r), transformedRows - failed, failed));
        if (failed > 0 && r.action() == ExpectationAction.FAIL) {
          throw failure(
              r,
              failed + " of " + transformedRows + " rows",
              evaluated.where(Expectations.failed(i)),
              version);
        }
      }

      Dataset<Row> candidates =
          evaluated
              .where(
                  Expectations.QUARANTINE
                      + " IS NULL AND NOT "
                      + Expectations.DROP
                      + " AND NOT "
                      + DUPLICATE)
              .select(outputColumns(evaluated));
      long candidateCount = transformedRows - ruleQuarantined - ruleDropped - batchDuplicates;
      planned = planner.plan(candidates, candidateCount);
      steps.lap("plan");
      long conflicts = planned.conflictCount();
      ExpectationAction onConflict = ExpectationAction.WARN;
      if (conflicts > 0) {
        int i = conflictRule(table);
        Expectation rule = table.expectations().get(i);
        RuleResult counted = results.get(1 + i);
        results.set(
            1 + i,
            new RuleResult(
                counted.rule(),
                counted.action(),
                counted.passed() - conflicts,
                counted.failed() + conflicts));
        onConflict = rule.action();
        if (onConflict == ExpectationAction.FAIL) {
          throw failure(
              rule,
              conflicts
                  + " records whose "
                  + String.join(", ", rule.unique())
                  + " the table already holds with another payload",
              conflicting(evaluated, planned.conflicts()),
              version);
        }
      }
      Counts counts =
          new Counts(
              bronzeRows,
              planned.accepted(),
              parseRejects
                  + ruleQuarantined
                  + (onConflict == ExpectationAction.QUARANTINE ? conflicts : 0),
              batchDuplicates
                  + planned.duplicates()
                  + (onConflict == ExpectationAction.WARN ? conflicts : 0),
              ruleDropped
                  + (parsedRows - transformedRows)
                  + (onConflict == ExpectationAction.DROP ? conflicts : 0));
      Dataset<Row> rejects = quarantineRows(parsed, evaluated, version, now);
      if (conflicts > 0 && onConflict == ExpectationAction.QUARANTINE) {
        rejects = rejects.unionByName(conflictRows(evaluated, planned.conflicts(), version, now));
      }
      outcome.beforeWrite(counts, results, rejects);
      steps.lap("records");
      delta.faults().reach(AFTER_QUARANTINE + table.qualifiedName());
      delta.retryOnConflict(table.qualifiedName(), planned.write());
      steps.lap("write");
      outcome.afterWrite(rejects);
      LOG.debug("{} batch {}: {}", table.qualifiedName(), version, steps);
      return counts;
    } finally {
      if (planned != null) {
        planned.release().run();
      }
      if (evaluated != null) {
        evaluated.unpersist();
      }
      parsed.unpersist();
    }
  }

  /** Marks all but the first delivery (lowest partition, offset) of each dedupe key. */
  private Dataset<Row> dedupe(Dataset<Row> evaluated) {
    List<String> key = new ArrayList<>(table.write().keys());
    if (table.write().mode() != WriteMode.APPEND) {
      key.add(table.write().sequenceBy());
    }
    if (key.isEmpty()) {
      return evaluated.withColumn(DUPLICATE, lit(false));
    }
    String kept = Expectations.QUARANTINE + " IS NULL AND NOT " + Expectations.DROP;
    return evaluated.withColumn(
        DUPLICATE,
        expr(
            "("
                + kept
                + ") AND row_number() OVER (PARTITION BY "
                + String.join(", ", key.stream().map(JsonPayloadParser::quote).toList())
                + ", ("
                + kept
                + ") ORDER BY source_partition, source_offset) > 1"));
  }

  private static Column[] outputColumns(Dataset<Row> evaluated) {
    return Arrays.stream(evaluated.columns())
        .filter(
            c ->
                !c.startsWith("__")
                    && !c.equals(SilverColumns.RAW)
                    && !c.equals(SilverColumns.RAW_ENCODING))
        .map(c -> col(JsonPayloadParser.quote(c)))
        .toArray(Column[]::new);
  }

  private Dataset<Row> quarantineRows(
      Dataset<Row> parsed, Dataset<Row> evaluated, long batchId, Timestamp now) {
    Dataset<Row> rejected =
        parsed
            .where(JsonPayloadParser.REJECT + " IS NOT NULL")
            .select(quarantineColumns(JsonPayloadParser.REJECT, batchId, now));
    Dataset<Row> failed =
        evaluated
            .where(Expectations.QUARANTINE + " IS NOT NULL")
            .select(quarantineColumns(Expectations.QUARANTINE, batchId, now));
    return rejected.unionByName(failed);
  }

  /**
   * The index of the table's uniqueness rule on exactly its write keys, or -1. With one, a record
   * whose key the table already holds with another payload fails that rule (a conflict); without
   * one, it is a duplicate, as a re-send is.
   */
  static int conflictRule(SilverTable table) {
    if (table.write().mode() != WriteMode.APPEND || table.write().keys().isEmpty()) {
      return -1;
    }
    Set<String> keys = Set.copyOf(table.write().keys());
    for (int i = 0; i < table.expectations().size(); i++) {
      Expectation r = table.expectations().get(i);
      if (r.isUnique() && Set.copyOf(r.unique()).equals(keys)) {
        return i;
      }
    }
    return -1;
  }

  /** The quarantine rows of the batch's records that conflict with rows the table holds. */
  private Dataset<Row> conflictRows(
      Dataset<Row> evaluated, Dataset<Row> conflicts, long batchId, Timestamp now) {
    Expectation rule = table.expectations().get(conflictRule(table));
    String reason =
        "failed "
            + rule.name()
            + ": the table already holds a row with the same "
            + String.join(", ", rule.unique())
            + " and another payload";
    return conflicting(evaluated, conflicts)
        .withColumn(
            CONFLICT,
            expr(
                "named_struct('rule', "
                    + Expectations.literal(rule.name())
                    + ", 'reason', "
                    + Expectations.literal(reason)
                    + ")"))
        .select(quarantineColumns(CONFLICT, batchId, now));
  }

  /** The evaluated rows of the records in {@code conflicts}, by their delivery. */
  private static Dataset<Row> conflicting(Dataset<Row> evaluated, Dataset<Row> conflicts) {
    List<String> delivery =
        List.of(
            SilverColumns.SOURCE_TOPIC,
            SilverColumns.SOURCE_PARTITION,
            SilverColumns.SOURCE_OFFSET);
    Column same = lit(true);
    for (String c : delivery) {
      same = same.and(col("e." + c).equalTo(col("c." + c)));
    }
    return evaluated
        .as("e")
        .join(
            conflicts.select(delivery.stream().map(c -> col(c)).toArray(Column[]::new)).as("c"),
            same,
            "left_semi");
  }

  private Column[] quarantineColumns(String rejection, long batchId, Timestamp now) {
    return new Column[] {
      lit(table.qualifiedName()).as(QuarantineTable.SOURCE_TABLE),
      col(rejection + ".rule").as(QuarantineTable.RULE),
      col(rejection + ".reason").as(QuarantineTable.REASON),
      col(SilverColumns.RAW).as(QuarantineTable.RAW_VALUE),
      col(SilverColumns.SOURCE_TOPIC).as(QuarantineTable.TOPIC),
      col(SilverColumns.SOURCE_PARTITION).as(QuarantineTable.PARTITION),
      col(SilverColumns.SOURCE_OFFSET).as(QuarantineTable.OFFSET),
      lit(batchId).as(QuarantineTable.BATCH_ID),
      lit(now).as(QuarantineTable.QUARANTINED_AT),
      col(SilverColumns.RAW_ENCODING).as(QuarantineTable.RAW_ENCODING)
    };
  }

  /**
   * The error of a batch stopped by a {@code fail} rule, naming the first failing record.
   *
   * @param what how many failed, such as {@code 2 of 3 rows}
   * @param failing the evaluated rows that failed
   */
  private MedallionException failure(
      Expectation rule, String what, Dataset<Row> failing, long batchId) {
    Row example =
        failing
            .select(
                col(SilverColumns.SOURCE_TOPIC),
                col(SilverColumns.SOURCE_PARTITION),
                col(SilverColumns.SOURCE_OFFSET),
                col(SilverColumns.RAW))
            .orderBy(SilverColumns.SOURCE_PARTITION, SilverColumns.SOURCE_OFFSET)
            .first();
    return new MedallionException(
        table.qualifiedName()
            + ": rule '"
            + rule.name()
            + "' (action fail) failed for "
            + what
            + " in batch "
            + batchId
            + ". Example: "
            + example.getString(0)
            + " partition "
            + example.getInt(1)
            + " offset "
            + example.getLong(2)
            + ": "
            + example.getString(3),
        "Correct the records at their source, or change the rule's action to quarantine (the stream"
            + " goes on and rejects are kept in silver.quarantine); then run again. Nothing of this"
            + " batch was written.");
  }

  /** How long each step of a batch took, for the debug log: {@code parse 812 ms, ...}. */
  private static final class StepTimes {
    private final StringBuilder text = new StringBuilder();
    private long last = System.nanoTime();

    void lap(String step) {
      long now = System.nanoTime();
      text.append(text.isEmpty() ? "" : ", ")
          .append(step)
          .append(' ')
          .append((now - last) / 1_000_000)
          .append(" ms");
      last = now;
    }

    @Override
    public String toString() {
      return text.toString();
    }
  }
}
