package io.medallion.workbench.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.silver.SilverColumns;
import io.medallion.workbench.generate.EventProducer;
import io.medallion.workbench.generate.GeneratedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * When acknowledged events become visible to a reader of the lake, measured from outside the
 * pipeline: a thread polls the silver and gold tables' Delta logs every {@link #POLL}, as a user's
 * query would, and notes when each committed version was first seen. The pipeline's own clocks
 * (progress reports, batch ends) are not used.
 *
 * <p>Followed are the valid and late records of one topic (duplicates and bad records never reach
 * silver as themselves). A record is visible in silver from the first poll that sees the commit
 * adding its row, found by its Kafka lineage ({@code source_partition}, {@code source_offset}).
 * Gold holds aggregates, not rows, so a record is visible in gold from the first poll at which the
 * gold table's count column adds up to the counted rows of the silver version holding it and of
 * every version before it: a silver version counts as visible in gold once the gold total reaches
 * its running total, never earlier. Times are from the producer's acknowledgement, and late by up
 * to one poll interval.
 */
final class TableVisibility implements EventProducer.AckListener, AutoCloseable {
  /** How often the tables are polled. */
  static final Duration POLL = Duration.ofMillis(250);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final String topic;
  private final Path silverTable;
  private final String silverCounted;
  private final Path goldTable;
  private final String goldCount;
  private final ScheduledExecutorService poller;
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

  /** Followed acknowledgements: partition, offset, acknowledged at; in arrival order. */
  private final List<long[]> followed = new ArrayList<>();

  /** Silver rows seen, per partition: offset to the silver version that added it. */
  private final Map<Integer, Map<Long, Long>> silverRows = new HashMap<>();

  /** Per silver version seen (index = version): when first seen, and its running count. */
  private long[] silverSeenAt = new long[0];

  private long[] silverRunningCount = new long[0];

  /** Per silver version: when gold was first seen holding it, or -1. */
  private long[] goldSeenAt = new long[0];

  private long goldVersion = -1;

  /**
   * @param topic the topic whose records are followed
   * @param silverTable the silver table that holds them, one row per record, with Kafka lineage
   * @param silverCounted a SQL condition on silver rows: the rows the gold column counts
   * @param goldTable the gold table reading the silver table
   * @param goldCount the gold column that counts those rows ({@code plays})
   */
  TableVisibility(
      SparkSession spark,
      String topic,
      Path silverTable,
      String silverCounted,
      Path goldTable,
      String goldCount) {
    this.spark = spark;
    this.topic = topic;
    this.silverTable = silverTable;
    this.silverCounted = silverCounted;
    this.goldTable = goldTable;
    this.goldCount = goldCount;
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "medallion-bench-visibility");
              t.setDaemon(true);
              return t;
            });
    poller.scheduleWithFixedDelay(this::pollSafely, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void acknowledged(EventProducer.Ack ack) {
    if (topic.equals(ack.topic())
        && (ack.kind() == GeneratedEvent.Kind.VALID || ack.kind() == GeneratedEvent.Kind.LATE)) {
      synchronized (this) {
        followed.add(new long[] {ack.partition(), ack.offset(), ack.ackedAtMillis()});
      }
    }
  }

  /** Records followed so far. */
  synchronized int followedRecords() {
    return followed.size();
  }

  /** Whether every followed record is visible in gold; rethrows what stopped the polls. */
  synchronized boolean allVisibleInGold() {
    RuntimeException e = failure.get();
    if (e != null) {
      throw e;
    }
    return visibleInGold() == followed.size();
  }

  /** Followed records visible in gold so far. */
  synchronized long visibleInGold() {
    return followed.stream().filter(f -> goldAt(f) >= 0).count();
  }

  /**
   * Milliseconds from acknowledgement to visibility of every followed record, sorted.
   *
   * @param gold in gold, else in silver
   * @throws IllegalStateException if a record is not visible yet
   */
  synchronized long[] latencies(boolean gold) {
    long[] latency = new long[followed.size()];
    for (int i = 0; i < latency.length; i++) {
      long[] f = followed.get(i);
      long at = gold ? goldAt(f) : silverAt(f);
      if (at < 0) {
        throw new IllegalStateException(
            "record " + f[0] + ":" + f[1] + " of " + topic + " is not visible yet");
      }
      latency[i] = at - f[2];
    }
    Arrays.sort(latency);
    return latency;
  }

  /** The latest time any followed record became visible in gold, in epoch milliseconds. */
  synchronized long lastVisibleInGold() {
    return followed.stream().mapToLong(this::goldAt).max().orElse(-1);
  }

  @Override
  public void close() {
    poller.shutdownNow();
    try {
      poller.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long silverVersionOf(long[] f) {
    Long version = silverRows.getOrDefault((int) f[0], Map.of()).get(f[1]);
    return version == null ? -1 : version;
  }

  private long silverAt(long[] f) {
    long v = silverVersionOf(f);
    return v < 0 ? -1 : silverSeenAt[(int) v];
  }

  private long goldAt(long[] f) {
    long v = silverVersionOf(f);
    return v < 0 ? -1 : goldSeenAt[(int) v];
  }

  private void pollSafely() {
    try {
      poll();
    } catch (RuntimeException e) {
      failure.compareAndSet(null, e);
      throw e;
    }
  }

  /** One poll: new silver commits first, then the gold table if it has a new version. */
  private void poll() {
    long latestSilver = latestVersion(silverTable);
    long seenAt = System.currentTimeMillis();
    for (long v = silverSeenAt.length; v <= latestSilver; v++) {
      readSilverVersion(v, seenAt);
    }
    long latestGold = latestVersion(goldTable);
    long goldSeen = System.currentTimeMillis();
    if (latestGold > goldVersion) {
      Row total =
          spark
              .read()
              .format("delta")
              .option("versionAsOf", latestGold)
              .load(goldTable.toString())
              .agg(functions.coalesce(functions.sum(goldCount), functions.lit(0L)))
              .first();
      goldVersion = latestGold;
      markVisibleInGold(((Number) total.get(0)).longValue(), goldSeen);
    }
  }

  /** Notes the rows one silver commit added, and when it was first seen. */
  private void readSilverVersion(long version, long seenAt) {
    List<String> files = new ArrayList<>();
    for (String line : commitLines(silverTable, version)) {
      JsonNode add = readJson(line).path("add");
      if (add.isObject() && add.path("dataChange").asBoolean(true)) {
        files.add(silverTable.toUri().resolve(add.path("path").asText()).toString());
      }
    }
    Map<Integer, Map<Long, Long>> added = new HashMap<>();
    long counted = 0;
    if (!files.isEmpty()) {
      List<Row> rows =
          spark
              .read()
              .parquet(files.toArray(String[]::new))
              .selectExpr(
                  SilverColumns.SOURCE_TOPIC,
                  SilverColumns.SOURCE_PARTITION,
                  SilverColumns.SOURCE_OFFSET,
                  "coalesce(" + silverCounted + ", false)")
              .collectAsList();
      for (Row row : rows) {
        if (topic.equals(row.getString(0))) {
          added.computeIfAbsent(row.getInt(1), p -> new HashMap<>()).put(row.getLong(2), version);
        }
        counted += row.getBoolean(3) ? 1 : 0;
      }
    }
    synchronized (this) {
      added.forEach(
          (p, offsets) -> silverRows.computeIfAbsent(p, x -> new HashMap<>()).putAll(offsets));
      int v = (int) version;
      silverSeenAt = Arrays.copyOf(silverSeenAt, v + 1);
      silverSeenAt[v] = seenAt;
      silverRunningCount = Arrays.copyOf(silverRunningCount, v + 1);
      silverRunningCount[v] = (v == 0 ? 0 : silverRunningCount[v - 1]) + counted;
      goldSeenAt = Arrays.copyOf(goldSeenAt, v + 1);
      goldSeenAt[v] = -1;
    }
  }

  /**
   * Marks the silver versions that gold's total covers: up to the first version whose running count
   * reaches the total, if it equals it, else up to the one before.
   */
  private synchronized void markVisibleInGold(long goldTotal, long seenAt) {
    int through = silverRunningCount.length - 1;
    for (int v = 0; v < silverRunningCount.length; v++) {
      if (silverRunningCount[v] >= goldTotal) {
        through = silverRunningCount[v] == goldTotal ? v : v - 1;
        break;
      }
    }
    for (int v = 0; v <= through; v++) {
      if (goldSeenAt[v] < 0) {
        goldSeenAt[v] = seenAt;
      }
    }
  }

  /** The newest committed version of a Delta table, or -1 if it has none yet. */
  static long latestVersion(Path table) {
    Path log = table.resolve("_delta_log");
    if (!Files.isDirectory(log)) {
      return -1;
    }
    try (Stream<Path> files = Files.list(log)) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.matches("\\d{20}\\.json"))
          .mapToLong(n -> Long.parseLong(n.substring(0, 20)))
          .max()
          .orElse(-1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> commitLines(Path table, long version) {
    try {
      return Files.readAllLines(
          table.resolve("_delta_log").resolve(String.format("%020d.json", version)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode readJson(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
