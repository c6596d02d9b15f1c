package io.medallion.workbench.bench;

import static io.medallion.workbench.bench.StageContext.await;
import static io.medallion.workbench.bench.StageContext.rows;
import static io.medallion.workbench.bench.StageContext.seconds;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.to_date;

import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.SilverTable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.StructType;

/**
 * What a user would write by hand instead of Medallion, on the same events: Kafka's records into
 * Delta as they are ({@code naive_bronze}), parsed and deduplicated on each table's keys ({@code
 * naive_silver}), counted per title and day ({@code naive_gold}). They are the baselines that the
 * report's {@code bronze / naive_bronze}, {@code silver / naive_silver} and {@code gold /
 * naive_gold} compare Medallion's layers with.
 */
final class NaiveStages {
  private final StageContext context;
  private final SparkSession spark;
  private final Pipeline pipeline;

  NaiveStages(StageContext context) {
    this.context = context;
    this.spark = context.spark();
    this.pipeline = context.pipeline();
  }

  /** {@code naive_bronze}: Kafka's records into one Delta table, once over everything. */
  Sample bronze(Path dir) throws Exception {
    long start = System.nanoTime();
    StreamingQuery q =
        context
            .kafkaStream()
            .writeStream()
            .format("delta")
            .queryName("bench_naive_bronze")
            .option("checkpointLocation", dir.resolve("naive/_checkpoints/bronze").toString())
            .trigger(Trigger.AvailableNow())
            .start(dir.resolve("naive/bronze").toString());
    await(q);
    return new Sample(rows(q), seconds(start), 0, 0, Map.of());
  }

  /** {@code naive_silver}: each silver table's records in naive_bronze, parsed and deduplicated. */
  Sample silver(Path dir) throws InterruptedException {
    long start = System.nanoTime();
    long rows = 0;
    Map<String, Object> read = new LinkedHashMap<>();
    for (SilverTable table : pipeline.silverTables()) {
      StructType schema =
          StructType.fromDDL(
              String.join(
                  ", ",
                  table.payload().fields().stream().map(f -> f.name() + " " + f.type()).toList()));
      Observation observed = new Observation("naive_silver_" + table.name());
      Dataset<Row> parsed =
          spark
              .read()
              .format("delta")
              .load(dir.resolve("naive/bronze").toString())
              .where(col("topic").equalTo(table.source().source().topic()))
              .observe(observed, count(lit(1)).as("rows"))
              .select(from_json(col("value").cast("string"), schema).as("e"))
              .select("e.*");
      List<String> keys = table.write().keys();
      parsed
          .dropDuplicates(keys.toArray(String[]::new))
          .write()
          .format("delta")
          .mode("overwrite")
          .save(dir.resolve("naive/silver/" + table.name()).toString());
      long n = ((Number) observed.getAsJava().get("rows")).longValue();
      read.put(table.qualifiedName(), n);
      rows += n;
    }
    double seconds = seconds(start);
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("read", read);
    detail.put("written", context.counts(dir.resolve("naive/silver"), context.factTables()));
    return new Sample(rows, seconds, 0, 0, detail);
  }

  /** {@code naive_gold}: each fact table of naive_silver counted per title and day. */
  Sample gold(Path dir) throws InterruptedException {
    long start = System.nanoTime();
    long rows = 0;
    for (SilverTable table : context.factTables()) {
      Observation observed = new Observation("naive_gold_" + table.name());
      spark
          .read()
          .format("delta")
          .load(dir.resolve("naive/silver/" + table.name()).toString())
          .observe(observed, count(lit(1)).as("rows"))
          .groupBy(col("title_id"), to_date(col("event_time")).as("event_date"))
          .count()
          .write()
          .format("delta")
          .mode("overwrite")
          .save(dir.resolve("naive/gold/" + table.name() + "_daily").toString());
      rows += ((Number) observed.getAsJava().get("rows")).longValue();
    }
    return new Sample(rows, seconds(start), 0, 0, Map.of());
  }
}
