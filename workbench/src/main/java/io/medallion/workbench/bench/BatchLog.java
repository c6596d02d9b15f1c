package io.medallion.workbench.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.sql.streaming.SourceProgress;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/** Every micro-batch of every streaming query, as their progress events report them. */
final class BatchLog extends StreamingQueryListener {

  /**
   * One source of one micro-batch.
   *
   * @param description the source, such as {@code DeltaSource[file:/lake/silver/plays]}
   * @param rows rows the batch read from it
   * @param endOffset the offset it read up to (JSON)
   */
  record Source(String description, long rows, String endOffset) {}

  /**
   * One micro-batch.
   *
   * @param id the batch id
   * @param startMillis when its trigger started
   * @param endMillis when it finished, committed
   * @param rows rows it read from all sources
   * @param sources what it read, per source
   */
  record Batch(long id, long startMillis, long endMillis, long rows, List<Source> sources) {}

  private final Map<String, List<Batch>> batches = new ConcurrentHashMap<>();

  /** The batches of the query with this name so far, in the order they ran. */
  List<Batch> of(String query) {
    return List.copyOf(batches.getOrDefault(query, List.of()));
  }

  /**
   * Per query, the batches that read rows and started at or after {@code sinceMillis}, and their
   * mean duration: where the time of the end-to-end stage went.
   */
  Map<String, String> summary(long sinceMillis) {
    Map<String, String> out = new TreeMap<>();
    batches.forEach(
        (query, all) -> {
          List<Batch> list = all.stream().filter(b -> b.startMillis() >= sinceMillis).toList();
          if (!list.isEmpty()) {
            out.put(
                query,
                String.format(
                    "%d batches, mean %.0f ms, %d rows",
                    list.size(),
                    list.stream()
                        .mapToLong(b -> b.endMillis() - b.startMillis())
                        .average()
                        .orElse(0),
                    list.stream().mapToLong(Batch::rows).sum()));
          }
        });
    return out;
  }

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
    StreamingQueryProgress p = event.progress();
    if (p.numInputRows() == 0) {
      return;
    }
    long start = Instant.parse(p.timestamp()).toEpochMilli();
    Object took = p.durationMs().get("triggerExecution");
    long end = start + (took == null ? 0 : ((Number) took).longValue());
    List<Source> sources = new ArrayList<>();
    for (SourceProgress s : p.sources()) {
      sources.add(
          new Source(s.description().replaceAll("\\]$", ""), s.numInputRows(), s.endOffset()));
    }
    String name = p.name() == null ? p.id().toString() : p.name();
    batches
        .computeIfAbsent(name, k -> new CopyOnWriteArrayList<>())
        .add(new Batch(p.batchId(), start, end, p.numInputRows(), sources));
  }

  @Override
  public void onQueryStarted(QueryStartedEvent event) {}

  @Override
  public void onQueryIdle(QueryIdleEvent event) {}

  @Override
  public void onQueryTerminated(QueryTerminatedEvent event) {}
}
