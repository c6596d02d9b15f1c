package io.medallion.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.jobs.generate.EventProducer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How long an event takes from the producer to gold: for each acknowledged record of one topic, the
 * time from its send to the end of the first gold micro-batch that can contain it.
 *
 * <p>The chain follows the queries' own progress reports: the record is in bronze when the first
 * bronze batch whose end offset passes it commits; it is in silver when a silver batch that started
 * after that commit (and read rows) commits; it is visible in gold when a gold batch that started
 * after the silver commit commits. A batch that started later sees every earlier commit, so the
 * chain never credits a batch with rows it cannot have read.
 */
final class Freshness implements EventProducer.AckListener {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String topic;
  private final Map<Integer, Acks> acks = new ConcurrentHashMap<>();

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
  public void acknowledged(String ackTopic, int partition, long offset, long sentAtMillis) {
    if (topic.equals(ackTopic)) {
      acks.computeIfAbsent(partition, p -> new Acks()).add(offset, sentAtMillis);
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
   * @return per record, when it became visible in gold (epoch ms), or -1 if it is not yet
   */
  long[] visibleAt(
      List<BatchLog.Batch> bronze, List<BatchLog.Batch> silver, List<BatchLog.Batch> gold) {
    List<long[]> out = new ArrayList<>();
    for (Map.Entry<Integer, Acks> entry : acks.entrySet()) {
      Acks a = entry.getValue();
      long[] ends = bronzeEnds(bronze, entry.getKey());
      synchronized (a) {
        long[] visible = new long[a.size];
        for (int i = 0; i < a.size; i++) {
          visible[i] = -1;
          int b = firstAbove(ends, a.offsets[i]);
          if (b < 0) {
            continue;
          }
          long inSilver = firstEndStartingAfter(silver, bronze.get(b).endMillis());
          if (inSilver < 0) {
            continue;
          }
          visible[i] = firstEndStartingAfter(gold, inSilver);
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

  /** The end offset of each bronze batch for one partition (-1 where it did not say). */
  private long[] bronzeEnds(List<BatchLog.Batch> bronze, int partition) {
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

  /** The first batch whose end offset passes {@code offset}, or -1. */
  private static int firstAbove(long[] ends, long offset) {
    for (int i = 0; i < ends.length; i++) {
      if (ends[i] > offset) {
        return i;
      }
    }
    return -1;
  }

  /** The end of the first batch that started at or after {@code millis}, or -1. */
  private static long firstEndStartingAfter(List<BatchLog.Batch> batches, long millis) {
    for (BatchLog.Batch batch : batches) {
      if (batch.startMillis() >= millis) {
        return batch.endMillis();
      }
    }
    return -1;
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
