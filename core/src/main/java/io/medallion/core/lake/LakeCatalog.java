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
  public static List<String> register(SparkSession spark, Pipeline pipeline, LakeLayout lake) {
    return register(spark, pipeline.tables(), lake);
  }

  /**
   * Registers every one of {@code tables} that exists in the lake; returns their qualified names.
   */
  public static synchronized List<String> register(
      SparkSession spark, List<TableRef> refs, LakeLayout lake) {
    for (String schema : SCHEMAS) {
      spark.sql(
          "CREATE DATABASE IF NOT EXISTS "
              + Sql.identifier(schema)
              + " LOCATION "
              + Sql.literal(lake.root() + "/" + schema));
    }
    List<String[]> tables = new ArrayList<>();
    for (TableRef t : refs) {
      tables.add(new String[] {t.layer().folder(), t.name(), lake.location(t)});
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
