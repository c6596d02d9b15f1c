package io.medallion.core.spark;

import io.medallion.core.error.Errors;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The definition of the query a checkpoint belongs to (its source, keys, SQL), recorded in {@value
 * CheckpointGuard#DEFINITION_FILE} when the checkpoint is made and compared on every start.
 */
final class CheckpointDefinition {
  private CheckpointDefinition() {}

  /** Records the query's definition in a new checkpoint, or refuses a changed one. */
  static void check(FileSystem fs, Path root, CheckpointGuard.Query query) throws IOException {
    Path file = new Path(root, CheckpointGuard.DEFINITION_FILE);
    Map<String, String> now = new TreeMap<>(query.definition());
    if (fs.exists(file)) {
      String changes = changes(fs, root, query);
      if (!changes.isEmpty()) {
        throw Errors.queryChanged(query.name(), query.checkpoint(), changes);
      }
      return;
    }
    Properties p = new Properties();
    p.putAll(now);
    try (OutputStream out = fs.create(file, true)) {
      p.store(out, "The definition of " + query.name() + " this checkpoint belongs to");
    }
  }

  /**
   * What changed in the query's definition since the checkpoint recorded it, one line per key
   * ({@code \n key: was X, now Y}); empty when nothing did or nothing is recorded.
   */
  static String changes(FileSystem fs, Path root, CheckpointGuard.Query query) throws IOException {
    Path file = new Path(root, CheckpointGuard.DEFINITION_FILE);
    if (!fs.exists(file)) {
      return "";
    }
    Map<String, String> now = new TreeMap<>(query.definition());
    Properties recorded = new Properties();
    try (InputStream in = fs.open(file)) {
      recorded.load(in);
    }
    TreeSet<String> keys = new TreeSet<>(now.keySet());
    recorded.stringPropertyNames().forEach(keys::add);
    StringBuilder changes = new StringBuilder();
    for (String key : keys) {
      String was = recorded.getProperty(key);
      String is = now.get(key);
      if (!java.util.Objects.equals(was, is)) {
        changes
            .append("\n    ")
            .append(key)
            .append(": was ")
            .append(was)
            .append(", now ")
            .append(is);
      }
    }
    return changes.toString();
  }
}
