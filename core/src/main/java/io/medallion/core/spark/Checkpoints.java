package io.medallion.core.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/** Streaming checkpoint locations. */
public final class Checkpoints {
  private Checkpoints() {}

  /** Spark's checkpoint manager for stores without a FileContext that creates parent folders. */
  static final String FILE_SYSTEM_MANAGER =
      "org.apache.spark.sql.execution.streaming.FileSystemBasedCheckpointFileManager";

  /**
   * Prepares a checkpoint location and returns it. On S3A, Spark's default (FileContext-based)
   * checkpoint manager fails to create files under folders that exist only as key prefixes, so the
   * FileSystem-based manager is used there.
   */
  public static String ensure(SparkSession spark, String location) {
    Path path = new Path(location);
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if ("s3a".equals(fs.getScheme())) {
        spark.conf().set("spark.sql.streaming.checkpointFileManagerClass", FILE_SYSTEM_MANAGER);
      }
      if (!fs.exists(path)) {
        fs.mkdirs(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the checkpoint folder " + location, e);
    }
    return location;
  }
}
