package io.medallion.workbench.bench;

import static io.medallion.workbench.bench.StageContext.STAGE_TIMEOUT;
import static io.medallion.workbench.bench.StageContext.rows;
import static io.medallion.workbench.bench.StageContext.seconds;

import io.medallion.bronze.BronzeIngestion;
import io.medallion.bronze.IngestOptions;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spark.StreamRunner;
import io.medallion.core.spark.StreamRunner.RunningQuery;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.gold.GoldAggregation;
import io.medallion.silver.SilverRefinement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * Medallion's engines, one layer at a time, each once over everything there is ({@code bronze},
 * {@code silver}, {@code gold}), on the same round's lake: silver reads what bronze wrote, gold
 * what silver wrote. They are what the naive baselines and the ceilings are compared with.
 */
final class LayerStages {
  private final StageContext context;
  private final SparkSession spark;
  private final Pipeline pipeline;
  private final String servers;
  private final Map<String, String> kafkaConf;

  LayerStages(StageContext context) {
    this.context = context;
    this.spark = context.spark();
    this.pipeline = context.pipeline();
    this.servers = context.servers();
    this.kafkaConf = context.kafkaConf();
  }

  /** {@code bronze}: every bronze table landed from Kafka. */
  Sample bronze(LakeLayout lake) throws Exception {
    long start = System.nanoTime();
    BronzeIngestion ingestion =
        new BronzeIngestion(spark, lake, new IngestOptions(servers, kafkaConf, true));
    List<RunningQuery> queries = ingestion.startAll(pipeline.bronzeTables(), EventSink.NONE);
    StreamRunner.awaitAll(queries, () -> false, STAGE_TIMEOUT);
    return new Sample(rows(queries), seconds(start), 0, 0, Map.of());
  }

  /**
   * {@code silver}: every silver table refined from bronze.
   *
   * @param written filled with the rows each silver table holds afterwards, by qualified name
   */
  Sample silver(LakeLayout lake, Map<String, Long> written) throws Exception {
    long start = System.nanoTime();
    SilverRefinement refinement =
        new SilverRefinement(spark, lake, pipeline.quarantineMaintenance());
    List<RunningQuery> queries = refinement.startAll(pipeline.silverTables(), true, EventSink.NONE);
    StreamRunner.awaitAll(queries, () -> false, STAGE_TIMEOUT);
    double seconds = seconds(start);
    Map<String, Object> read = new LinkedHashMap<>();
    for (RunningQuery q : queries) {
      read.put(q.name(), StageContext.refinedRows(List.of(q), lake));
    }
    for (SilverTable table : pipeline.silverTables()) {
      written.put(
          table.qualifiedName(),
          spark.read().format("delta").load(lake.table(Layer.SILVER, table.name())).count());
    }
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("read", read);
    detail.put("written", new LinkedHashMap<>(written));
    return new Sample(StageContext.refinedRows(queries, lake), seconds, 0, 0, detail);
  }

  /**
   * {@code gold}: every gold table aggregated from silver. Gold's rows are the silver events it
   * aggregates; each fact table must have been read whole by the gold queries that read it.
   */
  Sample gold(LakeLayout lake, Map<String, Long> silverWritten) throws Exception {
    long start = System.nanoTime();
    GoldAggregation aggregation = new GoldAggregation(spark, lake, pipeline.tables());
    List<RunningQuery> queries = aggregation.startAll(pipeline.goldTables(), true, EventSink.NONE);
    StreamRunner.awaitAll(queries, () -> false, STAGE_TIMEOUT);
    double seconds = seconds(start);
    long rows = 0;
    Map<String, Object> read = new LinkedHashMap<>();
    for (SilverTable fact : context.factTables()) {
      String suffix = "/" + Layer.SILVER.folder() + "/" + fact.name();
      long most = 0;
      for (RunningQuery q : queries) {
        long n = 0;
        for (StreamingQueryProgress p : q.query().recentProgress()) {
          for (var source : p.sources()) {
            if (source.description().replaceAll("\\]$", "").endsWith(suffix)) {
              n += source.numInputRows();
            }
          }
        }
        most = Math.max(most, n);
      }
      read.put(fact.qualifiedName(), most);
      rows += most;
    }
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("read", read);
    return new Sample(rows, seconds, 0, 0, detail);
  }
}
