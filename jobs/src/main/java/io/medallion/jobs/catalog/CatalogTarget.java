package io.medallion.jobs.catalog;

import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.TableRef;
import io.medallion.jobs.cli.OptionException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Where a command registers the lake's tables besides Spark's session catalog ({@code --catalog}),
 * checked when the options are read, before anything starts.
 *
 * @param name {@code none} or {@code glue}
 * @param databases the Glue database of each layer
 * @param lake the lake whose tables are registered
 */
public record CatalogTarget(String name, Map<Layer, String> databases, LakeLayout lake) {
  /** The catalogs {@code --catalog} names. */
  public static final List<String> NAMES = List.of("none", "glue");

  /**
   * Reads {@code --catalog} and {@code --glue-database}.
   *
   * @throws OptionException for an unknown catalog, a bad database option, or Glue for a lake that
   *     is not on S3
   */
  public static CatalogTarget parse(
      String name, Map<String, String> glueDatabases, LakeLayout lake) {
    String wanted = name == null || name.isBlank() ? "none" : name.strip();
    if (!NAMES.contains(wanted)) {
      throw new OptionException(
          "--catalog '" + name + "' is not a catalog.",
          "Use one of: "
              + String.join(", ", NAMES)
              + " (glue registers every table in the AWS Glue Data Catalog, for Athena).");
    }
    Map<Layer, String> databases = GlueDatabases.resolve(glueDatabases);
    if (wanted.equals("glue") && !lake.root().startsWith("s3a://")) {
      throw new OptionException(
          "--catalog glue registers tables on S3, and the lake root " + lake + " is not.",
          "Run on a lake at s3a://bucket/prefix, or with --catalog none.");
    }
    return new CatalogTarget(wanted, databases, lake);
  }

  /**
   * Starts keeping the catalog in step with {@code tables} while the command runs; closing the
   * result registers what the run left unregistered.
   *
   * @param out where a line per registration goes
   */
  public CatalogSync start(SparkSession spark, List<TableRef> tables, PrintWriter out) {
    return name.equals("glue")
        ? GlueSync.start(spark, lake, tables, databases, out)
        : CatalogSync.none();
  }
}
