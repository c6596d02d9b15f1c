package io.medallion.core.lake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.JobID;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.TaskID;
import org.apache.hadoop.mapreduce.TaskType;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.NoMapping$;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.Metadata;
import org.apache.spark.sql.delta.actions.SetTransaction;
import org.apache.spark.sql.execution.datasources.OutputWriter;
import org.apache.spark.sql.execution.datasources.OutputWriterFactory;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.metric.SQLMetrics;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * An idempotent append of rows the driver already holds (a batch's reconciliation row, its rule
 * results, the late slices of a gold batch), written and committed by the driver itself.
 *
 * <p>Written through a DataFrame, such rows cost a Spark job of one task, and on a running pipeline
 * that task waits behind the other queries' tasks for a core: most of a silver batch's bookkeeping
 * time in a profile (docs/performance.md, "Where the silver steps and the MERGEs wait"). Here the
 * driver writes the Parquet file with Spark's own Parquet writer, as a task would, and commits it
 * with the transaction id, as Delta's {@code WriteIntoDelta} would: one file per partition value,
 * the commit's {@code SetTransaction} and the read of the id make a replay write nothing, and a
 * concurrent commit of the same id a conflict.
 *
 * <p>Only plain tables are written this way: no column mapping, constraints, invariants, generated
 * or identity columns, no table feature beyond {@link #PLAIN_WRITER_FEATURES}, and rows whose
 * schema is the table's. Anything else goes the DataFrame way, where Delta enforces it.
 */
final class DriverAppend {
  /** Writer features whose appends need nothing but the data files and the commit. */
  static final Set<String> PLAIN_WRITER_FEATURES =
      Set.of(
          "appendOnly",
          "invariants",
          "changeDataFeed",
          "timestampNtz",
          "domainMetadata",
          "v2Checkpoint",
          "vacuumProtocolCheck",
          "inCommitTimestamp",
          "deletionVectors");

  /** Partition column types whose values' strings are the ones Delta records. */
  private static final Set<DataType> PARTITION_TYPES =
      Set.of(
          DataTypes.StringType,
          DataTypes.DateType,
          DataTypes.IntegerType,
          DataTypes.LongType,
          DataTypes.ShortType,
          DataTypes.ByteType,
          DataTypes.BooleanType);

  private static final Set<String> FIELD_METADATA_DELTA_ENFORCES =
      Set.of("delta.generationExpression", "delta.identity.start", "delta.invariants");

  private DriverAppend() {}

  /**
   * Appends {@code rows} to the Delta table at {@code path} unless (appId, version) is committed.
   *
   * @param appId the transaction id's application id, or null for an append without one (not
   *     idempotent)
   * @return false when the table does not exist or is not plain (see the class comment): nothing
   *     was written, and the caller appends the DataFrame way
   */
  static boolean run(
      SparkSession spark,
      List<Row> rows,
      StructType schema,
      String path,
      String appId,
      long version) {
    DeltaLog log = DeltaLog.forTable(spark, path);
    scala.Function1<OptimisticTransaction, Boolean> append =
        txn -> {
          if (txn.readVersion() < 0 || !plain(txn, schema, rows)) {
            return false;
          }
          if (appId != null && TransactionalAppend.committedVersion(txn, appId) >= version) {
            return true;
          }
          List<AddFile> files = write(spark, txn.metadata(), path, rows);
          registerMetrics(spark, txn, files, rows.size());
          List<Action> actions = new ArrayList<>(files);
          if (appId != null) {
            actions.add(
                new SetTransaction(appId, version, Option.apply(System.currentTimeMillis())));
          }
          txn.commit(
              CollectionConverters.asScala(actions).toList(),
              new DeltaOperations.Write(
                  SaveMode.Append,
                  Option.apply(txn.metadata().partitionColumns()),
                  Option.empty(),
                  Option.empty()));
          return true;
        };
    return log.withNewTransaction(Option.empty(), Option.empty(), append);
  }

  /** The metrics of a DataFrame append, for the table's history (DESCRIBE HISTORY). */
  private static void registerMetrics(
      SparkSession spark, OptimisticTransaction txn, List<AddFile> files, long rows) {
    Map<String, SQLMetric> metrics = new HashMap<>();
    metrics.put("numFiles", metric(spark, "number of files written", files.size()));
    metrics.put(
        "numOutputBytes",
        metric(spark, "written output", files.stream().mapToLong(AddFile::size).sum()));
    metrics.put("numOutputRows", metric(spark, "number of output rows", rows));
    txn.registerSQLMetrics(spark, TransactionalAppend.scalaMap(metrics));
  }

  private static SQLMetric metric(SparkSession spark, String name, long value) {
    SQLMetric metric = SQLMetrics.createMetric(spark.sparkContext(), name);
    metric.set(value);
    return metric;
  }

  /** Whether the table takes these rows as they are, with nothing for Delta to enforce. */
  static boolean plain(OptimisticTransaction txn, StructType schema, List<Row> rows) {
    Metadata metadata = txn.metadata();
    StructType table = metadata.schema();
    if (metadata.columnMappingMode() != NoMapping$.MODULE$
        || !PLAIN_WRITER_FEATURES.containsAll(
            CollectionConverters.asJava(txn.protocol().writerFeatureNames()))
        || CollectionConverters.asJava(metadata.configuration()).keySet().stream()
            .anyMatch(k -> k.startsWith("delta.constraints."))
        || !sameColumns(schema, table)
        || !Arrays.stream(metadata.partitionSchema().fields())
            .allMatch(f -> PARTITION_TYPES.contains(f.dataType()))) {
      return false;
    }
    for (int i = 0; i < table.fields().length; i++) {
      StructField field = table.fields()[i];
      if (FIELD_METADATA_DELTA_ENFORCES.stream().anyMatch(field.metadata()::contains)) {
        return false;
      }
      if (!field.nullable()) {
        for (Row row : rows) {
          if (row.isNullAt(i)) {
            return false; // Delta's NOT NULL check names the column
          }
        }
      }
    }
    return true;
  }

  private static boolean sameColumns(StructType rows, StructType table) {
    if (rows.fields().length != table.fields().length) {
      return false;
    }
    for (int i = 0; i < rows.fields().length; i++) {
      StructField a = rows.fields()[i];
      StructField b = table.fields()[i];
      if (!a.name().equals(b.name())
          || !DataType.equalsIgnoreNullability(a.dataType(), b.dataType())) {
        return false;
      }
    }
    return true;
  }

  /** Writes one Parquet file per partition value of {@code rows}; their add actions. */
  private static List<AddFile> write(
      SparkSession spark, Metadata metadata, String tablePath, List<Row> rows) {
    StructType table = metadata.schema();
    List<String> partitionColumns =
        CollectionConverters.asJava(metadata.partitionColumns()).stream().toList();
    StructType dataSchema =
        new StructType(
            Arrays.stream(table.fields())
                .filter(f -> !partitionColumns.contains(f.name()))
                .toArray(StructField[]::new));
    int[] dataIndexes =
        Arrays.stream(dataSchema.fieldNames()).mapToInt(table::fieldIndex).toArray();

    Map<Map<String, String>, List<Row>> byPartition = new LinkedHashMap<>();
    for (Row row : rows) {
      Map<String, String> values = new LinkedHashMap<>();
      for (String column : partitionColumns) {
        Object value = row.get(table.fieldIndex(column));
        values.put(column, value == null ? null : value.toString());
      }
      byPartition.computeIfAbsent(values, v -> new ArrayList<>()).add(row);
    }

    Configuration conf = spark.sessionState().newHadoopConfWithOptions(metadata.configuration());
    Job job;
    try {
      job = Job.getInstance(conf);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    OutputWriterFactory factory =
        new ParquetFileFormat()
            .prepareWrite(
                spark, job, TransactionalAppend.scalaMap(Map.<String, String>of()), dataSchema);
    TaskAttemptContext context =
        new TaskAttemptContextImpl(
            job.getConfiguration(),
            new TaskAttemptID(new TaskID(new JobID("medallion", 0), TaskType.MAP, 0), 0));
    scala.Function1<Object, Object> toCatalyst =
        CatalystTypeConverters.createToCatalystConverter(dataSchema);

    List<AddFile> added = new ArrayList<>();
    for (Map.Entry<Map<String, String>, List<Row>> partition : byPartition.entrySet()) {
      String directory = partitionDirectory(partition.getKey(), partitionColumns);
      String relative =
          directory
              + "part-00000-"
              + UUID.randomUUID()
              + "-c000"
              + factory.getFileExtension(context);
      Path file = new Path(tablePath, relative);
      OutputWriter writer = factory.newInstance(file.toString(), dataSchema, context);
      try {
        for (Row row : partition.getValue()) {
          Object[] values = new Object[dataIndexes.length];
          for (int i = 0; i < dataIndexes.length; i++) {
            values[i] = row.get(dataIndexes[i]);
          }
          writer.write((InternalRow) toCatalyst.apply(RowFactory.create(values)));
        }
      } finally {
        writer.close();
      }
      added.add(addFile(conf, file, relative, partition.getKey(), partition.getValue().size()));
    }
    return added;
  }

  private static String partitionDirectory(Map<String, String> values, List<String> columns) {
    StringBuilder directory = new StringBuilder();
    for (String column : columns) {
      String value = values.get(column);
      directory
          .append(ExternalCatalogUtils.escapePathName(column))
          .append('=')
          .append(
              value == null
                  ? ExternalCatalogUtils.DEFAULT_PARTITION_NAME()
                  : ExternalCatalogUtils.escapePathName(value))
          .append('/');
    }
    return directory.toString();
  }

  private static AddFile addFile(
      Configuration conf, Path file, String relative, Map<String, String> partition, long rows) {
    try {
      FileSystem fs = file.getFileSystem(conf);
      var status = fs.getFileStatus(file);
      return new AddFile(
          new Path(relative).toUri().toString(),
          TransactionalAppend.scalaMap(partition),
          status.getLen(),
          status.getModificationTime(),
          true,
          "{\"numRecords\":" + rows + "}",
          null,
          null,
          Option.empty(),
          Option.empty(),
          Option.empty());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
