package io.medallion.core.lake;

import io.delta.tables.DeltaTable;
import io.medallion.core.spec.Pipeline;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.catalog.SessionCatalog;
import scala.Option;

/**
 * Registers the lake's tables in the session catalog under the schemas {@code bronze}, {@code
 * silver}, {@code gold} and {@code _system}, from the spec and the lake root, so that any process
 * that opens the lake can query every table by name. No metastore server is involved: each session
 * registers the tables again, pointing at the Delta tables where they are.
 */
public final class LakeCatalog {
  /** The schemas, in layer order. */
  public static final List<String> SCHEMAS = List.of("bronze", "silver", "gold", "_system");

  private LakeCatalog() {}

  /**
   * Registers every table of the spec that exists in the lake; returns their qualified names.
   * Tables that do not exist yet are skipped; call again after they are created.
   */
  public static synchronized List<String> register(
      SparkSession spark, Pipeline pipeline, LakeLayout lake) {
    for (String schema : SCHEMAS) {
      spark.sql(
          "CREATE DATABASE IF NOT EXISTS "
              + Sql.identifier(schema)
              + " LOCATION "
              + Sql.literal(lake.root() + "/" + schema));
    }
    List<String[]> tables = new ArrayList<>();
    pipeline
        .bronzeTables()
        .forEach(
            t -> tables.add(new String[] {"bronze", t.name(), lake.table(Layer.BRONZE, t.name())}));
    pipeline
        .silverTables()
        .forEach(
            t -> tables.add(new String[] {"silver", t.name(), lake.table(Layer.SILVER, t.name())}));
    tables.add(
        new String[] {
          "silver", Pipeline.QUARANTINE_TABLE, lake.table(Layer.SILVER, Pipeline.QUARANTINE_TABLE)
        });
    pipeline
        .goldTables()
        .forEach(
            t -> tables.add(new String[] {"gold", t.name(), lake.table(Layer.GOLD, t.name())}));
    for (TableRef system : SystemTables.ALL) {
      tables.add(new String[] {system.layer().folder(), system.name(), lake.location(system)});
    }
    List<String> registered = new ArrayList<>();
    for (String[] t : tables) {
      if (!DeltaTable.isDeltaTable(spark, t[2])) {
        continue;
      }
      // The session catalog, not spark.catalog(): it answers from metadata alone, even for a
      // table registered at a path that no longer exists.
      SessionCatalog catalog = spark.sessionState().catalog();
      TableIdentifier id = new TableIdentifier(t[1], Option.apply(t[0]));
      if (catalog.tableExists(id) && !registeredAt(catalog, id, spark, t[2])) {
        // Registered by this session for another lake root: point it at this one.
        catalog.dropTable(id, true, false);
      }
      if (!catalog.tableExists(id)) {
        spark.sql(
            "CREATE TABLE "
                + Sql.identifier(t[0])
                + "."
                + Sql.identifier(t[1])
                + " USING delta LOCATION "
                + Sql.literal(t[2]));
      }
      registered.add(t[0] + "." + t[1]);
    }
    return registered;
  }

  private static boolean registeredAt(
      SessionCatalog catalog, TableIdentifier id, SparkSession spark, String path) {
    java.net.URI location;
    try {
      location = catalog.getTableMetadata(id).location();
    } catch (Exception e) { // Scala's checked exceptions: the table or schema vanished meanwhile
      return false;
    }
    return qualified(spark, location.toString()).equals(qualified(spark, path));
  }

  private static String qualified(SparkSession spark, String location) {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(location);
    try {
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration())
          .makeQualified(p)
          .toString();
    } catch (java.io.IOException e) {
      return location;
    }
  }
}
