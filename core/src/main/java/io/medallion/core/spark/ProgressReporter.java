package io.medallion.core.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * Prints one line per micro-batch of every streaming query (rows, rows/s, offsets still behind the
 * source) and counts the rows each query has processed.
 */
public final class ProgressReporter extends StreamingQueryListener {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintWriter out;
  private final Map<String, LongAdder> rows = new ConcurrentHashMap<>();

  public ProgressReporter(PrintWriter out) {
    this.out = out;
  }

  /** Rows processed so far by the query with this name, over every batch it ran. */
  public long rows(String queryName) {
    LongAdder adder = rows.get(queryName);
    return adder == null ? 0 : adder.sum();
  }

  @Override
  public void onQueryStarted(QueryStartedEvent event) {}

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
    StreamingQueryProgress p = event.progress();
    if (p.numInputRows() == 0) {
      return;
    }
    String name = p.name() == null ? p.id().toString() : p.name();
    rows.computeIfAbsent(name, k -> new LongAdder()).add(p.numInputRows());
    long behind = 0;
    for (SourceProgress source : p.sources()) {
      behind += offsetsBehind(source.endOffset(), source.latestOffset());
    }
    out.printf(
        "%-24s batch %-5d %,10d rows %,10.0f rows/s %,10d behind%n",
        name, p.batchId(), p.numInputRows(), p.processedRowsPerSecond(), Math.max(0, behind));
    out.flush();
  }

  @Override
  public void onQueryIdle(QueryIdleEvent event) {}

  @Override
  public void onQueryTerminated(QueryTerminatedEvent event) {}

  /**
   * Records between the offsets a batch read up to and the newest offsets the source has, summed
   * over partitions. Kafka offsets are JSON: {@code {"topic":{"0":12,"1":40}}}.
   */
  public static long offsetsBehind(String endJson, String latestJson) {
    if (endJson == null || latestJson == null) {
      return 0;
    }
    try {
      JsonNode end = JSON.readTree(endJson);
      JsonNode latest = JSON.readTree(latestJson);
      long behind = 0;
      for (Iterator<Map.Entry<String, JsonNode>> topics = latest.fields(); topics.hasNext(); ) {
        Map.Entry<String, JsonNode> topic = topics.next();
        for (Iterator<Map.Entry<String, JsonNode>> parts = topic.getValue().fields();
            parts.hasNext(); ) {
          Map.Entry<String, JsonNode> part = parts.next();
          long read = end.path(topic.getKey()).path(part.getKey()).asLong(0);
          behind += Math.max(0, part.getValue().asLong(0) - read);
        }
      }
      return behind;
    } catch (Exception e) {
      return 0;
    }
  }
}
