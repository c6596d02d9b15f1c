package io.medallion.core.lake;

import io.medallion.core.error.MedallionException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where everything lives under a lake root: {@code <root>/bronze/<table>}, {@code
 * <root>/silver/<table>}, {@code <root>/gold/<table>} and one checkpoint per streaming table under
 * {@code <root>/_checkpoints/<layer>/<table>}.
 *
 * <p>The root is a local directory (the default) or an {@code s3a://bucket/prefix} URI.
 */
public final class LakeLayout {
  /** The lake root when none is configured, relative to the working directory. */
  public static final String DEFAULT_ROOT = "./lakehouse-data";

  private final String root;
  private final boolean local;

  private LakeLayout(String root, boolean local) {
    this.root = root;
    this.local = local;
  }

  /**
   * A layout under {@code rootText}: a local path, a {@code file:} URI or an {@code s3a://} URI.
   */
  public static LakeLayout of(String rootText) {
    if (rootText == null || rootText.isBlank()) {
      throw new MedallionException(
          "The lake root is empty.", "Pass --lake-root DIR or --lake-root s3a://bucket/prefix.");
    }
    String text = rootText.strip();
    int colon = text.indexOf("://");
    if (colon < 0) {
      return new LakeLayout(Path.of(text).toAbsolutePath().normalize().toString(), true);
    }
    String scheme = text.substring(0, colon).toLowerCase(Locale.ROOT);
    switch (scheme) {
      case "file":
        return new LakeLayout(Path.of(URI.create(text)).normalize().toString(), true);
      case "s3a":
      case "hdfs":
      case "abfss":
      case "gs":
        String trimmed = text.replaceAll("/+$", "");
        if (trimmed.length() <= colon + 3) {
          throw new MedallionException(
              "The lake root '" + rootText + "' names no bucket.",
              "Write it as " + scheme + "://bucket/prefix.");
        }
        return new LakeLayout(trimmed, false);
      case "s3":
      case "s3n":
        throw new MedallionException(
            "The lake root '" + rootText + "' uses the " + scheme + ":// scheme.",
            "Use s3a://" + text.substring(colon + 3) + " (Hadoop's S3A connector).");
      default:
        throw new MedallionException(
            "The lake root '" + rootText + "' uses an unknown scheme '" + scheme + "'.",
            "Use a local directory or an s3a:// URI.");
    }
  }

  /** The root itself, with no trailing slash. */
  public String root() {
    return root;
  }

  /** Whether the lake is on the local file system. */
  public boolean isLocal() {
    return local;
  }

  /** The root as a local path; only for a local lake. */
  public Path localRoot() {
    if (!local) {
      throw new IllegalStateException("lake root " + root + " is not local");
    }
    return Path.of(root);
  }

  /** The Delta table of {@code table} in {@code layer}. */
  public String table(Layer layer, String table) {
    return root + "/" + layer.folder() + "/" + table;
  }

  /**
   * Where a table named by its qualified name lives: {@code bronze.plays}, {@code
   * silver.quarantine}, {@code gold.trending_now}, {@code _system.events}.
   */
  public String location(String qualified) {
    return location(TableRef.parse(qualified));
  }

  /** Where {@code table} lives. */
  public String location(TableRef table) {
    return table(table.layer(), table.name());
  }

  /** The streaming checkpoint of the query that writes {@code table} in {@code layer}. */
  public String checkpoint(Layer layer, String table) {
    return root + "/_checkpoints/" + layer.folder() + "/" + table;
  }

  /**
   * A platform table under {@code <root>/_system/}: batch records, rule results and other state the
   * platform keeps about itself.
   */
  public String system(String table) {
    return table(Layer.SYSTEM, table);
  }

  /**
   * The deletes an {@code scd1} silver table has applied, each key with its sequence, so that an
   * older change arriving later does not bring the key back: part of that table, kept beside it.
   */
  public String tombstones(String silverTable) {
    return system("silver_tombstones/" + silverTable);
  }

  @Override
  public String toString() {
    return root;
  }
}
