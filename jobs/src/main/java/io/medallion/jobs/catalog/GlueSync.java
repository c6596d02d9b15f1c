package io.medallion.jobs.catalog;

import io.delta.tables.DeltaTable;
import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.TableRef;
import io.medallion.jobs.cli.OptionException;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.types.StructType;

/**
 * Registers the lake's tables in the Glue Data Catalog: all that exist when it starts, then, after
 * each micro-batch (on Spark's listener thread, off the batch's path), the batch's own table if its
 * schema changed and any table that has appeared since; all again when it closes. A failure during
 * the run is reported and retried after the next batch; at the close it fails the command.
 */
final class GlueSync extends StreamingQueryListener implements CatalogSync {
  private final SparkSession spark;
  private final LakeLayout lake;
  private final List<TableRef> tables;
  private final Map<Layer, String> databases;
  private final GlueCatalog glue;
  private final PrintWriter out;
  private final Map<TableRef, GlueTable> registered = new HashMap<>();

  /** The Delta schema each registered entry was made from. */
  private final Map<TableRef, StructType> registeredSchemas = new HashMap<>();

  private boolean sawProgress;

  private GlueSync(
      SparkSession spark,
      LakeLayout lake,
      List<TableRef> tables,
      Map<Layer, String> databases,
      GlueCatalog glue,
      PrintWriter out) {
    this.spark = spark;
    this.lake = lake;
    this.tables = tables;
    this.databases = databases;
    this.glue = glue;
    this.out = out;
  }

  static GlueSync start(
      SparkSession spark,
      LakeLayout lake,
      List<TableRef> tables,
      Map<Layer, String> databases,
      PrintWriter out) {
    GlueCatalog glue;
    try {
      glue = GlueCatalog.connect();
    } catch (NoClassDefFoundError e) {
      throw new OptionException(
          "--catalog glue needs the AWS SDK's Glue client, which is not on the classpath.",
          "Run the cluster jar (medallion-jobs-<version>-spark.jar, which holds it), or add"
              + " software.amazon.awssdk:glue to the classpath.");
    }
    GlueSync sync = new GlueSync(spark, lake, tables, databases, glue, out);
    try {
      glue.requireDatabases(layerNames(databases));
      sync.syncAll();
    } catch (RuntimeException e) {
      glue.close();
      throw e;
    }
    spark.streams().addListener(sync);
    return sync;
  }

  private static Map<String, String> layerNames(Map<Layer, String> databases) {
    Map<String, String> byFolder = new java.util.LinkedHashMap<>();
    databases.forEach((layer, db) -> byFolder.put(layer.folder(), db));
    return byFolder;
  }

  @Override
  public void onQueryStarted(QueryStartedEvent event) {}

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
    try {
      if (!sawProgress) {
        sawProgress = true;
        syncAll();
        return;
      }
      TableRef own = ownTable(event.progress().name());
      for (TableRef table : tables) {
        if (table.equals(own) || !registered.containsKey(table)) {
          sync(table);
        }
      }
    } catch (RuntimeException e) {
      System.err.println(
          "catalog: Glue registration failed, retried after the next batch: " + e.getMessage());
    }
  }

  @Override
  public void onQueryIdle(QueryIdleEvent event) {}

  @Override
  public void onQueryTerminated(QueryTerminatedEvent event) {}

  @Override
  public void close() {
    spark.streams().removeListener(this);
    try {
      syncAll();
    } finally {
      glue.close();
    }
  }

  private static TableRef ownTable(String queryName) {
    try {
      return queryName == null ? null : TableRef.parse(queryName);
    } catch (MedallionException e) {
      return null;
    }
  }

  private synchronized void syncAll() {
    for (TableRef table : tables) {
      sync(table);
    }
  }

  /** Registers {@code table} if it exists and differs from what this run registered last. */
  private synchronized void sync(TableRef table) {
    String location = lake.location(table);
    if (!DeltaTable.isDeltaTable(spark, location)) {
      return;
    }
    DeltaTable delta = DeltaTable.forPath(spark, location);
    StructType schema = delta.toDF().schema();
    // After most batches nothing changed: skip the table details (a Spark job) and the Glue call.
    if (schema.equals(registeredSchemas.get(table))) {
      return;
    }
    Row detail = delta.detail().first();
    List<String> partitionColumns = detail.getList(detail.fieldIndex("partitionColumns"));
    GlueTable entry =
        GlueTable.of(
            databases.get(table.layer()), table.name(), location, schema, partitionColumns);
    if (entry.equals(registered.get(table))) {
      return;
    }
    GlueCatalog.Outcome outcome;
    try {
      outcome = glue.register(entry);
    } catch (software.amazon.awssdk.core.exception.SdkException e) {
      throw new MedallionException(
          "Cannot register "
              + table
              + " in the Glue database '"
              + entry.database()
              + "': "
              + e.getMessage(),
          "Check that the role may call glue:GetTable, glue:CreateTable and glue:UpdateTable"
              + " there.");
    }
    registered.put(table, entry);
    registeredSchemas.put(table, schema);
    if (outcome != GlueCatalog.Outcome.UNCHANGED) {
      out.printf(
          "catalog: %s %s in Glue as %s.%s%n",
          outcome == GlueCatalog.Outcome.CREATED ? "registered" : "updated",
          table,
          entry.database(),
          entry.name());
      out.flush();
    }
  }
}
