package io.medallion.core.spark;

import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.ForklessLocalFileSystem;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Creates the Spark session every Medallion job runs in: Delta Lake enabled, UTC session time, and
 * whatever the user passed with {@code --conf} on top.
 *
 * <p>The master is never chosen here: {@code spark-submit} sets it on a cluster, and {@code
 * ./lakehouse} sets {@code spark.master=local[*]} locally.
 */
public final class SparkSessions {
  private SparkSessions() {}

  /** Spark's per-session artifact isolation (class loaders, jars, files). */
  public static final String ARTIFACT_ISOLATION = "spark.sql.artifact.isolation.enabled";

  /**
   * Settings Medallion needs, applied unless the user set the same key. Spark's metrics system
   * reports each streaming query (input and processing rates, latency, watermark, state) under the
   * stable namespace {@code medallion}, in Prometheus' format at {@code /metrics/prometheus/} of
   * the Spark UI (locally off unless {@code --conf spark.ui.enabled=true}). Tables are created with
   * Delta's auto compaction on (the spec's {@code maintenance} section can turn it off per table).
   */
  public static final Map<String, String> DEFAULTS =
      Map.ofEntries(
          Map.entry("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension"),
          Map.entry(
              "spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog"),
          Map.entry("spark.sql.session.timeZone", "UTC"),
          Map.entry("spark.sql.streaming.metricsEnabled", "true"),
          Map.entry("spark.metrics.namespace", "medallion"),
          Map.entry(
              "spark.metrics.conf.*.sink.prometheusServlet.class",
              "org.apache.spark.metrics.sink.PrometheusServlet"),
          Map.entry("spark.metrics.conf.*.sink.prometheusServlet.path", "/metrics/prometheus"),
          Map.entry("spark.databricks.delta.properties.defaults.autoOptimize.autoCompact", "true"),
          // Spark keeps 100 classes of compiled generated code. A pipeline's queries plan many
          // jobs per batch, some with per-batch constants in their code, so at 100 code was
          // evicted before its next use and compiled again: a third of the executors' time in the
          // end_to_end profile; at 5,000 the p95 to gold fell from 128-139 s to 96-109 s
          // (docs/performance.md, "Where the time of a running pipeline goes").
          Map.entry("spark.sql.codegen.cache.maxEntries", "5000"),
          // Spark 4.0 gives each session's tasks a class loader of their own, for Spark Connect
          // clients' artifacts, and caches generated code per class loader. Every streaming
          // query runs in a clone of the session, so each query, and each run of one, compiled
          // the same code again: 3,614 compilations (88 s) in a small scale run, 601 (13 s)
          // without it (docs/performance.md, "Generated code shared by every query"). Medallion
          // adds no per-session artifacts; the SQL server, which serves Spark Connect, turns it
          // back on.
          Map.entry(ARTIFACT_ISOLATION, "false"),
          // Silver keeps the keys it has accepted in a transformWithState store, which needs
          // RocksDB; a checkpoint keeps the provider it was started with.
          Map.entry(
              "spark.sql.streaming.stateStore.providerClass",
              "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider"),
          // Each batch writes the changed keys, not a snapshot of the store.
          Map.entry(
              "spark.sql.streaming.stateStore.rocksdb.changelogCheckpointing.enabled", "true"));

  /**
   * Extra defaults for a local (single-JVM) master: few shuffle partitions, no UI, and Delta's
   * state reconstruction in one partition. Delta 4.0 rebuilds a table's state with a Spark job
   * before every idempotent write (to look up the transaction id), and one task per rebuild is
   * enough for the small tables several queries commit to. Measured in docs/performance.md ("Where
   * a silver micro-batch's time goes"): faster in a two-batch comparison at 20,000 rows held, no
   * difference beyond the noise at 1M.
   */
  public static final Map<String, String> LOCAL_DEFAULTS =
      Map.of(
          "spark.sql.shuffle.partitions", "4",
          "spark.default.parallelism", "4",
          "spark.ui.enabled", "false",
          "spark.databricks.delta.snapshotPartitions", "1",
          "spark.driver.host", "127.0.0.1",
          "spark.driver.bindAddress", "127.0.0.1");

  /**
   * Gets or creates the session.
   *
   * @param appName the application name Spark shows
   * @param userConf {@code --conf} settings; they win over every default
   * @throws MedallionException when no Spark master is configured
   */
  public static SparkSession getOrCreate(String appName, Map<String, String> userConf) {
    SparkConf conf = new SparkConf(true).setAppName(appName);
    userConf.forEach(conf::set);
    if (!conf.contains("spark.master")) {
      throw new MedallionException(
          "No Spark master is configured.",
          "Run through ./lakehouse (local mode), through spark-submit, or pass --conf"
              + " spark.master=local[*].");
    }
    DEFAULTS.forEach(conf::setIfMissing);
    if (conf.get("spark.master").startsWith("local")) {
      LOCAL_DEFAULTS.forEach(conf::setIfMissing);
      // A cluster's nodes have Hadoop's native library; a local JVM does not, and its local
      // file system starts processes where Java's file API would do.
      ForklessLocalFileSystem.SETTINGS.forEach(conf::setIfMissing);
    }
    return SparkSession.builder().config(conf).getOrCreate();
  }
}
