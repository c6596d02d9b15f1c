package io.medallion.workbench.bench;

import io.medallion.bronze.IngestOptions;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spec.Overrides;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.Pipeline.WriteMode;
import io.medallion.core.spec.StartingOffsets;
import io.medallion.jobs.run.PipelineRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * What every stage of one bench run works with: the session, the pipeline, the broker and its
 * topics, the settings, and what the producer had acknowledged; and the helpers the stages share,
 * so that they read, wait and count the same way.
 *
 * @param servers the broker's bootstrap servers
 * @param kafkaConf extra Kafka client settings, without the {@code kafka.} prefix
 * @param topics the generator's topic names mapped to the cluster's
 * @param out the console
 * @param acknowledged the records the broker acknowledged, by topic: what the stages read
 */
record StageContext(
    SparkSession spark,
    Pipeline pipeline,
    String servers,
    Map<String, String> kafkaConf,
    Map<String, String> topics,
    Benchmark.Settings settings,
    PrintWriter out,
    Map<String, Long> acknowledged) {

  /** The longest a stage waits for its queries. */
  static final Duration STAGE_TIMEOUT = Duration.ofMinutes(30);

  /** Spark's Kafka source on every acknowledged topic, from the earliest offsets. */
  Dataset<Row> kafkaStream() {
    var reader =
        spark
            .readStream()
            .format("kafka")
            .option("kafka.bootstrap.servers", servers)
            .option("subscribe", String.join(",", acknowledged.keySet()))
            .option("startingOffsets", "earliest");
    for (Map.Entry<String, String> e : kafkaConf.entrySet()) {
      reader = reader.option("kafka." + e.getKey(), e.getValue());
    }
    return reader.load();
  }

  /** The silver tables of events that gold aggregates: the append-only ones. */
  List<SilverTable> factTables() {
    return pipeline.silverTables().stream()
        .filter(t -> t.write().mode() == WriteMode.APPEND)
        .toList();
  }

  /**
   * Starts every layer's queries continuously on a fresh lake that starts at Kafka's current end,
   * and waits until each has run its first trigger.
   */
  List<RunningQuery> startPipeline(LakeLayout lake) throws Exception {
    Optional<Duration> interval = Optional.of(settings.triggerInterval());
    Pipeline running =
        pipeline.with(
            new Overrides(interval, Optional.empty(), Optional.of(StartingOffsets.LATEST), false));
    IngestOptions options = new IngestOptions(servers, kafkaConf, false);
    List<RunningQuery> queries =
        new PipelineRunner(spark, running, lake).startContinuous(options, EventSink.NONE);
    try {
      awaitCondition(
          "every query ran its first trigger",
          Duration.ofMinutes(2),
          queries,
          () -> queries.stream().allMatch(q -> q.query().lastProgress() != null),
          () -> "");
    } catch (Exception e) {
      queries.forEach(q -> StreamRunner.stopQuietly(q.query()));
      throw e;
    }
    return queries;
  }

  /** What {@link #awaitCondition} waits for. */
  interface Condition {
    boolean holds() throws Exception;
  }

  /** Waits for a condition with a deadline, failing early if a query failed. */
  static void awaitCondition(
      String what,
      Duration timeout,
      List<RunningQuery> queries,
      Condition condition,
      Supplier<String> state)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.holds()) {
      for (RunningQuery q : queries) {
        if (q.query().exception().isDefined()) {
          throw q.query().exception().get();
        }
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException(
            "Gave up waiting until " + what + " after " + timeout + ". " + state.get());
      }
      try {
        queries.get(0).query().awaitTermination(500);
      } catch (StreamingQueryException e) {
        throw e;
      }
    }
  }

  /** Waits for a query that runs once to finish, within {@link #STAGE_TIMEOUT}. */
  static void await(StreamingQuery q) throws Exception {
    if (!q.awaitTermination(STAGE_TIMEOUT.toMillis())) {
      q.stop();
      throw new TimeoutException(q.name() + " did not finish within " + STAGE_TIMEOUT);
    }
  }

  /** The rows a query has read, over the progress it still keeps. */
  static long rows(StreamingQuery q) {
    return Arrays.stream(q.recentProgress()).mapToLong(StreamingQueryProgress::numInputRows).sum();
  }

  /**
   * The rows a silver layer's queries refined, over the progress they keep: a table that holds its
   * keys in state also reads the rows it gained (under {@code <lake>/silver/}), which are left out.
   */
  static long refinedRows(List<RunningQuery> queries, LakeLayout lake) {
    long rows = 0;
    for (RunningQuery q : queries) {
      for (StreamingQueryProgress p : q.query().recentProgress()) {
        rows += rowsFrom(p, lake.root() + "/silver/");
      }
    }
    return rows;
  }

  /** The rows of one batch, leaving out the sources whose description holds {@code skipped}. */
  static long rowsFrom(StreamingQueryProgress p, String skipped) {
    long rows = 0;
    for (SourceProgress source : p.sources()) {
      if (!source.description().contains(skipped)) {
        rows += source.numInputRows();
      }
    }
    return rows;
  }

  static long rows(List<RunningQuery> queries) {
    return queries.stream().mapToLong(q -> rows(q.query())).sum();
  }

  /** The rows of each table, by qualified name, in its folder under {@code dir}. */
  Map<String, Object> counts(Path dir, List<SilverTable> tables) {
    Map<String, Object> counts = new LinkedHashMap<>();
    for (SilverTable t : tables) {
      counts.put(
          t.qualifiedName(),
          spark.read().format("delta").load(dir.resolve(t.name()).toString()).count());
    }
    return counts;
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /**
   * Deletes a round's tables and what the session still holds of them: Delta keeps each table's log
   * and cached state in memory, and without this every round would run with the garbage of the
   * rounds before it.
   */
  void forget(Path dir) {
    Benchmark.deleteTree(dir);
    DeltaLog.clearCache();
    spark.catalog().clearCache();
  }
}
