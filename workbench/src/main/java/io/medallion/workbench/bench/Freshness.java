package io.medallion.workbench.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.core.lake.DeltaSourceOffset;
import io.medallion.workbench.generate.EventProducer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * How long an event takes from the producer to gold: for each acknowledged record of one topic, the
 * time from its send to the end of the first gold micro-batch that contains it.
 *
 * <p>The chain is exact, from the queries' progress reports and the tables' Delta logs: the record
 * is in the bronze batch whose Kafka end offset first passes it; that batch wrote one version of
 * the bronze table (the version whose transaction id carries the batch id); the record reaches
 * silver in the first silver batch whose Delta source offset passes that version, which wrote one
 * version of the silver table; and it is visible in gold when the first gold batch whose source
 * offset passes that silver version commits. A silver batch that wrote nothing for the record (a
 * duplicate of an event already there) makes it visible when it commits.
 */
final class Freshness implements EventProducer.AckListener {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A commit file of the Delta log. */
  private static final Pattern COMMIT = Pattern.compile("\\d{20}\\.json");

  private final String topic;
  private final Map<Integer, Acks> acks = new ConcurrentHashMap<>();

  /**
   * One hop of the chain: the batches of the query that writes a table and that table's log.
   *
   * @param batches the query's batches that read rows, in order
   * @param table the Delta table the query writes
   * @param upstream what the query's Delta source description ends with ({@code /bronze/plays}), or
   *     null for the Kafka hop
   */
  record Hop(List<BatchLog.Batch> batches, Path table, String upstream) {}

  /** The sends and offsets of one partition, in offset order (one producer, in order). */
  private static final class Acks {
    long[] offsets = new long[1024];
    long[] sentAt = new long[1024];
    int size;

    synchronized void add(long offset, long sent) {
      if (size == offsets.length) {
        offsets = Arrays.copyOf(offsets, size * 2);
        sentAt = Arrays.copyOf(sentAt, size * 2);
      }
      offsets[size] = offset;
      sentAt[size] = sent;
      size++;
    }
  }

  Freshness(String topic) {
    this.topic = topic;
  }

  @Override
  public void acknowledged(EventProducer.Ack ack) {
    if (topic.equals(ack.topic())) {
      acks.computeIfAbsent(ack.partition(), p -> new Acks()).add(ack.offset(), ack.sentAtMillis());
    }
  }

  /** Records of the topic acknowledged so far. */
  long acknowledged() {
    return acks.values().stream().mapToLong(a -> a.size).sum();
  }

  /** The earliest send, in epoch milliseconds. */
  long firstSent() {
    long first = Long.MAX_VALUE;
    for (Acks a : acks.values()) {
      synchronized (a) {
        for (int i = 0; i < a.size; i++) {
          first = Math.min(first, a.sentAt[i]);
        }
      }
    }
    return first;
  }

  /**
   * Visibility of every acknowledged record.
   *
   * @param bronze the bronze query of the topic and its table
   * @param silver the silver query reading that table and its table
   * @param gold the gold query reading the silver table (its table is not needed)
   * @return per record, when it became visible in gold (epoch ms), or -1 if it is not yet
   */
  long[] visibleAt(Hop bronze, Hop silver, Hop gold) {
    Map<Long, Long> bronzeVersions = versionsByBatch(bronze.table());
    Map<Long, Long> silverVersions = versionsByBatch(silver.table());
    long[] silverRead = versionsRead(silver);
    long[] goldRead = versionsRead(gold);
    List<long[]> out = new ArrayList<>();
    for (Map.Entry<Integer, Acks> entry : acks.entrySet()) {
      Acks a = entry.getValue();
      long[] ends = kafkaEnds(bronze.batches(), entry.getKey());
      synchronized (a) {
        long[] visible = new long[a.size];
        for (int i = 0; i < a.size; i++) {
          visible[i] = -1;
          int b = firstAtLeast(ends, a.offsets[i] + 1);
          Long bronzeVersion = b < 0 ? null : bronzeVersions.get(bronze.batches().get(b).id());
          if (bronzeVersion == null) {
            continue;
          }
          int s = firstAtLeast(silverRead, bronzeVersion);
          if (s < 0) {
            continue;
          }
          BatchLog.Batch silverBatch = silver.batches().get(s);
          Long silverVersion = silverVersions.get(silverBatch.id());
          if (silverVersion == null) {
            visible[i] = silverBatch.endMillis();
            continue;
          }
          int g = firstAtLeast(goldRead, silverVersion);
          visible[i] = g < 0 ? -1 : gold.batches().get(g).endMillis();
        }
        out.add(visible);
      }
    }
    return out.stream().flatMapToLong(Arrays::stream).toArray();
  }

  /** Send times, in the same order as {@link #visibleAt}. */
  long[] sentAt() {
    List<long[]> out = new ArrayList<>();
    for (Acks a : acks.values()) {
      synchronized (a) {
        out.add(Arrays.copyOf(a.sentAt, a.size));
      }
    }
    return out.stream().flatMapToLong(Arrays::stream).toArray();
  }

  /**
   * The table version each streaming batch wrote: Medallion's writes carry the batch id as their
   * Delta transaction version, so the log's {@code txn} actions name it.
   */
  static Map<Long, Long> versionsByBatch(Path table) {
    Map<Long, Long> versions = new HashMap<>();
    Path log = table.resolve("_delta_log");
    if (!Files.isDirectory(log)) {
      return versions;
    }
    try (Stream<Path> files = Files.list(log)) {
      for (Path file :
          files.filter(f -> COMMIT.matcher(f.getFileName().toString()).matches()).toList()) {
        long version = Long.parseLong(file.getFileName().toString().replace(".json", ""));
        for (String line : Files.readAllLines(file)) {
          JsonNode txn = JSON.readTree(line).path("txn");
          if (txn.isObject()) {
            versions.putIfAbsent(txn.path("version").asLong(), version);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return versions;
  }

  /**
   * Per batch of a hop, the newest upstream version it has read whole (-1 if none), parsed once per
   * call rather than once per record.
   */
  private static long[] versionsRead(Hop hop) {
    List<BatchLog.Batch> batches = hop.batches();
    long[] read = new long[batches.size()];
    for (int i = 0; i < read.length; i++) {
      read[i] = -1;
      for (BatchLog.Source source : batches.get(i).sources()) {
        if (source.description().endsWith(hop.upstream()) && source.endOffset() != null) {
          try {
            JsonNode end = JSON.readTree(source.endOffset());
            long whole =
                DeltaSourceOffset.versionReadWhole(
                    end.path("reservoirVersion").asLong(-1), end.path("index").asLong(-1));
            read[i] = Math.max(read[i], whole);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    }
    return read;
  }

  /** The first index whose value is at least {@code v}, or -1. */
  private static int firstAtLeast(long[] values, long v) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] >= v) {
        return i;
      }
    }
    return -1;
  }

  /** The end offset of each bronze batch for one partition (-1 where it did not say). */
  private long[] kafkaEnds(List<BatchLog.Batch> bronze, int partition) {
    long[] ends = new long[bronze.size()];
    for (int i = 0; i < ends.length; i++) {
      ends[i] = -1;
      for (BatchLog.Source source : bronze.get(i).sources()) {
        if (source.endOffset() == null) {
          continue;
        }
        try {
          JsonNode end =
              JSON.readTree(source.endOffset()).path(topic).path(String.valueOf(partition));
          if (end.isNumber()) {
            ends[i] = Math.max(ends[i], end.asLong());
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return ends;
  }

  /** The p-th percentile (0-100) of sorted values, nearest rank. */
  static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
