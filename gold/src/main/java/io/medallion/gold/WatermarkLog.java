package io.medallion.gold;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * A streaming gold table's watermark, kept in its query's checkpoint beside Spark's own logs: one
 * file per batch, named by the batch id, holding the newest event time seen up to and including
 * that batch ({@value #NONE} before any). A batch decides which slices are closed from the file of
 * the batch before it, so a restarted query goes on with the watermark it had, and a replayed batch
 * decides exactly as it did the first time. Lost with the checkpoint, like the query's offsets.
 */
final class WatermarkLog {
  /** The folder in the checkpoint. */
  static final String FOLDER = "medallion-watermarks";

  /** Files of older batches are deleted; only the last batch is ever replayed. */
  private static final int KEEP = 10;

  /** What a batch records when no event time has been seen yet. */
  static final String NONE = "none";

  private final Path dir;

  WatermarkLog(String checkpoint) {
    this.dir = new Path(checkpoint, FOLDER);
  }

  /** The newest event time recorded by the latest batch before {@code batchId}, if any. */
  Optional<Instant> before(SparkSession spark, long batchId) {
    try {
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (FileStatus f : batches(fs)) {
        long id = Long.parseLong(f.getPath().getName());
        if (id < batchId) {
          Optional<Optional<Instant>> recorded = read(fs, f.getPath());
          if (recorded.isPresent()) {
            return recorded.get();
          }
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the watermark log " + dir, e);
    }
  }

  /**
   * Records the newest event time after {@code batchId} (null: none yet), and forgets batches long
   * past. Every batch records, so that files a lost checkpoint's run left are overwritten before
   * they could be read.
   */
  void record(SparkSession spark, long batchId, Instant newest) {
    try {
      FileSystem fs = dir.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Path file = new Path(dir, Long.toString(batchId));
      // Written whole, then renamed: a crash leaves no half-written watermark behind.
      Path partial = new Path(dir, "." + batchId + ".partial");
      try (OutputStream out = fs.create(partial, true)) {
        out.write((newest == null ? NONE : newest.toString()).getBytes(StandardCharsets.UTF_8));
      }
      fs.delete(file, false);
      if (!fs.rename(partial, file)) {
        throw new IOException("rename of " + partial + " to " + file + " failed");
      }
      for (FileStatus f : batches(fs)) {
        if (Long.parseLong(f.getPath().getName()) < batchId - KEEP) {
          fs.delete(f.getPath(), false);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the watermark log " + dir, e);
    }
  }

  /** The batch files, newest first. */
  private List<FileStatus> batches(FileSystem fs) throws IOException {
    if (!fs.exists(dir)) {
      return List.of();
    }
    return Arrays.stream(fs.listStatus(dir))
        .filter(f -> f.isFile() && f.getPath().getName().chars().allMatch(Character::isDigit))
        .sorted(
            Comparator.comparingLong((FileStatus f) -> Long.parseLong(f.getPath().getName()))
                .reversed())
        .toList();
  }

  /**
   * What a file records (an event time, or none yet); empty when the file is damaged, and then an
   * older batch's file is used instead.
   */
  private static Optional<Optional<Instant>> read(FileSystem fs, Path file) throws IOException {
    String text;
    try (InputStream in = fs.open(file)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
    if (text.equals(NONE)) {
      return Optional.of(Optional.empty());
    }
    try {
      return Optional.of(Optional.of(Instant.parse(text)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
