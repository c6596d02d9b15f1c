package io.medallion.core.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.core.error.Errors;
import io.medallion.core.error.MedallionException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** The checkpoint's own files: whether it has started, and whether its latest files are whole. */
final class CheckpointFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CheckpointFiles() {}

  static boolean hasFiles(FileSystem fs, Path dir) throws IOException {
    return fs.exists(dir) && Arrays.stream(fs.listStatus(dir)).anyMatch(CheckpointFiles::isLogFile);
  }

  private static boolean isLogFile(FileStatus status) {
    String name = status.getPath().getName();
    return status.isFile() && !name.startsWith(".") && name.chars().allMatch(Character::isDigit);
  }

  /**
   * Spark writes every checkpoint file whole (a temporary file, then a rename). An empty or cut
   * file therefore means a disk or copy problem, and Spark would fail on it with a parse error or,
   * for some files, ignore it and re-plan a batch differently.
   */
  static void checkFiles(FileSystem fs, Path root, CheckpointGuard.Query query) throws IOException {
    checkJson(fs, new Path(root, "metadata"), query, true);
    for (String log : new String[] {"offsets", "commits"}) {
      Path dir = new Path(root, log);
      if (!fs.exists(dir)) {
        continue;
      }
      Optional<FileStatus> latest =
          Arrays.stream(fs.listStatus(dir))
              .filter(CheckpointFiles::isLogFile)
              .max(Comparator.comparingLong(s -> Long.parseLong(s.getPath().getName())));
      if (latest.isPresent()) {
        checkJson(fs, latest.get().getPath(), query, false);
      }
    }
  }

  /** Checks a file of a version line (unless {@code plainJson}) followed by JSON lines. */
  private static void checkJson(
      FileSystem fs, Path file, CheckpointGuard.Query query, boolean plainJson) throws IOException {
    String text;
    // The raw bytes: on a local disk, a checksum mismatch would hide what is wrong with them.
    FileSystem raw = fs instanceof ChecksumFileSystem checked ? checked.getRawFileSystem() : fs;
    try (InputStream in = raw.open(file)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.FileNotFoundException e) {
      throw damaged(file, query, "is missing");
    }
    String[] lines = text.split("\n");
    if (text.isBlank() || (!plainJson && (!lines[0].startsWith("v") || lines.length < 2))) {
      throw damaged(file, query, text.isBlank() ? "is empty" : "is cut short");
    }
    for (int i = plainJson ? 0 : 1; i < lines.length; i++) {
      try {
        JSON.readTree(lines[i]);
      } catch (IOException e) {
        throw damaged(file, query, "is cut short or corrupt (line " + (i + 1) + ")");
      }
    }
  }

  private static MedallionException damaged(Path file, CheckpointGuard.Query query, String what) {
    return Errors.checkpointDamaged(file.toString(), query.name(), what, query.checkpoint());
  }
}
