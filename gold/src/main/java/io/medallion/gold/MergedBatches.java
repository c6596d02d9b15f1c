package io.medallion.gold;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.DeltaSourceOffset;
import io.medallion.core.lake.DeltaWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import scala.Option;

/**
 * How far the batches merged into a gold table ({@link GoldTableRefresher#merge}) have read its
 * sources: the last batch the table holds (its Delta transaction id) and, from the checkpoint's
 * offset log, the source versions that batch had read to their end. A rebuild that reads the
 * sources at those versions holds exactly what the merged batches hold; the batches after it merge
 * the rest.
 */
final class MergedBatches {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param appId the transaction id under which the batches are merged
   * @param batch the last batch merged
   * @param versions per source (qualified name), the version read to its end
   */
  record Position(String appId, long batch, Map<String, Long> versions) {}

  private MergedBatches() {}

  /**
   * Where the table's merged batches stand, or empty when no batch of this checkpoint has merged
   * into it.
   *
   * @param sources the table's sources: qualified name to location
   */
  static Optional<Position> last(
      SparkSession spark,
      String table,
      String path,
      String checkpoint,
      Map<String, String> sources) {
    try {
      Path root = new Path(checkpoint);
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Path metadata = new Path(root, "metadata");
      if (!fs.exists(metadata)) {
        return Optional.empty();
      }
      String queryId = JSON.readTree(lines(fs, metadata).get(0)).path("id").asText();
      String appId = DeltaWriter.appId(table, queryId);
      Optional<Long> batch = transaction(spark, path, appId, -1);
      if (batch.isEmpty()) {
        return Optional.empty();
      }
      Map<String, Long> versions = versionsRead(spark, table, checkpoint, batch.get(), sources);
      return Optional.of(new Position(appId, batch.get(), versions));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the checkpoint " + checkpoint, e);
    }
  }

  /**
   * Per source (qualified name), the newest version a batch of the checkpoint had read to its end,
   * from the checkpoint's offset log; a source the batch had read nothing of yet is absent.
   *
   * @param sources the query's sources: qualified name to location
   * @throws MedallionException when the batch stopped inside a version of a source
   */
  static Map<String, Long> versionsRead(
      SparkSession spark,
      String table,
      String checkpoint,
      long batch,
      Map<String, String> sources) {
    try {
      Path root = new Path(checkpoint);
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Map<String, String> byTableId = new HashMap<>();
      for (var source : sources.entrySet()) {
        byTableId.put(DeltaLog.forTable(spark, source.getValue()).tableId(), source.getKey());
      }
      Map<String, Long> versions = new HashMap<>();
      List<String> offsets = lines(fs, new Path(root, "offsets/" + batch));
      // The log's version line and the batch's metadata, then one offset per source.
      for (String line : offsets.subList(2, offsets.size())) {
        if (line.equals("-")) {
          continue; // a source without an offset yet: the batch read none of it
        }
        JsonNode offset = JSON.readTree(line);
        String source = byTableId.get(offset.path("reservoirId").asText());
        if (source == null) {
          continue;
        }
        long version = offset.path("reservoirVersion").asLong();
        long index = offset.path("index").asLong();
        if (DeltaSourceOffset.insideVersion(index)) {
          throw new MedallionException(
              "Batch "
                  + batch
                  + " of "
                  + table
                  + " stopped inside version "
                  + version
                  + " of "
                  + source
                  + ", so no version of it holds exactly what the batch read.",
              "Run the aggregation (./lakehouse aggregate --once), then this again.");
        }
        versions.put(source, DeltaSourceOffset.versionReadWhole(version, index));
      }
      return versions;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the checkpoint " + checkpoint, e);
    }
  }

  /**
   * The last version the writer {@code appId} committed to the table, as of the table's version
   * {@code asOf} (-1: the latest).
   */
  static Optional<Long> transaction(SparkSession spark, String path, String appId, long asOf) {
    DeltaLog log = DeltaLog.forTable(spark, path);
    if (!log.tableExists()) {
      return Optional.empty();
    }
    var snapshot =
        asOf < 0
            ? log.update(false, Option.empty(), Option.empty())
            : log.getSnapshotAt(asOf, Option.empty(), Option.empty());
    Option<Object> version = snapshot.transactions().get(appId);
    return version.isDefined() ? Optional.of((Long) version.get()) : Optional.empty();
  }

  private static List<String> lines(FileSystem fs, Path file) throws IOException {
    try (var in =
        new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
      return in.lines().toList();
    }
  }
}
