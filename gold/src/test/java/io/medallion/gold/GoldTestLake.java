package io.medallion.gold;

import io.medallion.core.events.EventSink;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.core.spec.PipelineLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * A test's pipeline spec and lake in its temporary folder, with silver tables written directly and
 * the gold aggregation run over them.
 */
final class GoldTestLake {
  private final SparkSession spark;
  private final Path dir;
  private final String spec;

  /**
   * A pipeline spec named {@code name}: one {@code plays} topic, its bronze table and {@code
   * silver.plays} of the payload's columns ({@code event_id: string, device: string}; {@code
   * event_time} is added, and {@code event_date} derived from it), then {@code gold}, the spec's
   * {@code gold:} section.
   */
  static String playsSpec(String name, String payload, String gold) {
    return """
        name: %s
        sources:
          plays: {topic: plays}
        bronze:
          tables:
            plays: {source: plays}
        silver:
          tables:
            plays:
              source: plays
              payload:
                schema: {%s, event_time: timestamp}
              transform:
                sql: SELECT *, to_date(event_time) AS event_date FROM input
              write: {mode: append, keys: [event_id]}
        """
            .formatted(name, payload)
        + gold;
  }

  GoldTestLake(SparkSession spark, Path dir, String spec) {
    this.spark = spark;
    this.dir = dir;
    this.spec = spec;
  }

  LakeLayout lake() {
    return LakeLayout.of(dir.resolve("lake").toString());
  }

  Pipeline pipeline() {
    return PipelineLoader.parse(dir.resolve("pipeline.yaml"), spec);
  }

  GoldTable table(String name) {
    return pipeline().goldTable(name).orElseThrow();
  }

  GoldAggregation aggregation() {
    return new GoldAggregation(spark, lake(), pipeline().tables());
  }

  /** Where the gold table {@code name} lives. */
  String gold(String name) {
    return lake().table(Layer.GOLD, name);
  }

  /** Appends the rows of a query (over {@code VALUES}, say) to the silver table {@code name}. */
  void appendSilver(String name, String query) {
    spark.sql(query).write().format("delta").mode("append").save(lake().table(Layer.SILVER, name));
  }

  /** Runs the gold tables' queries to the end of their sources, each from its checkpoint. */
  void aggregateOnce(String... tables) {
    aggregateOnce(aggregation(), tables);
  }

  /** Like {@link #aggregateOnce(String...)}, on a given aggregation (after its full refresh). */
  void aggregateOnce(GoldAggregation aggregation, String... tables) {
    List<GoldTable> run = java.util.Arrays.stream(tables).map(this::table).toList();
    StreamRunner.awaitAll(
        aggregation.startAll(run, true, EventSink.NONE), () -> false, Duration.ofSeconds(60));
  }
}
