package io.medallion.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import io.delta.tables.DeltaTable;
import io.medallion.core.events.EventSink;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.silver.SilverRecords.Counts;
import io.medallion.silver.SilverRecords.RuleResult;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Re-reads a table's quarantined records through the current spec and moves those that now pass
 * into silver, exactly once.
 *
 * <p>The records are read again from bronze by their Kafka coordinates (bronze keeps the original
 * bytes and ingestion time). The run's Delta application id is derived from the set of records it
 * reprocesses, so a run repeated after a crash (the set is unchanged until the last step removes
 * the moved records from quarantine) skips the writes that already happened. Its reconciliation row
 * has no bronze rows: it moves counts from quarantined to accepted, duplicates or dropped.
 */
public final class QuarantineReprocess {
  private QuarantineReprocess() {}

  /**
   * @param rule only the records this rule rejected, if given
   * @return what happened to the reprocessed records
   */
  public static Counts run(
      SparkSession spark,
      Pipeline pipeline,
      LakeLayout lake,
      SilverTable table,
      Optional<String> rule) {
    TableRefiner refiner =
        new SilverRefinement(spark, lake, pipeline.quarantineMaintenance()).prepare(table);
    Column selected = col(QuarantineTable.SOURCE_TABLE).equalTo(table.qualifiedName());
    if (rule.isPresent()) {
      selected = selected.and(col(QuarantineTable.RULE).equalTo(rule.get()));
    }
    Dataset<Row> quarantined =
        QuarantineTable.read(spark, lake)
            .where(selected)
            .select(QuarantineTable.TOPIC, QuarantineTable.PARTITION, QuarantineTable.OFFSET)
            .distinct()
            .cache();
    try {
      Row identity =
          quarantined
              .agg(
                  expr("count(*)"),
                  expr("coalesce(bit_xor(xxhash64(topic, partition, offset)), 0)"))
              .first();
      long count = identity.getLong(0);
      if (count == 0) {
        return new Counts(0, 0, 0, 0, 0);
      }
      String appId =
          table.qualifiedName()
              + ":reprocess:"
              + count
              + ":"
              + Long.toHexString(identity.getLong(1));
      Dataset<Row> bronze =
          spark
              .read()
              .format("delta")
              .load(lake.table(Layer.BRONZE, table.source().name()))
              .as("b")
              .join(
                  quarantined.as("q"),
                  expr("b.topic = q.topic AND b.partition = q.partition AND b.offset = q.offset"),
                  "left_semi");
      Counts[] moved = new Counts[1];
      refiner.refine(
          bronze,
          appId,
          0,
          new TableRefiner.Outcome() {
            @Override
            public void beforeWrite(Counts counts, List<RuleResult> results, Dataset<Row> rejects) {
              long out = counts.bronzeRows() - counts.quarantined();
              moved[0] =
                  new Counts(0, counts.accepted(), -out, counts.duplicates(), counts.dropped());
              SilverRecords.record(
                  spark,
                  lake,
                  refiner.delta(),
                  EventSink.NONE,
                  table.qualifiedName(),
                  SilverRecords.KIND_REPROCESS,
                  appId,
                  0,
                  moved[0],
                  List.of(),
                  List.of());
            }

            @Override
            public void afterWrite(Dataset<Row> rejects) {
              Dataset<Row> stillRejected =
                  rejects.select(
                      QuarantineTable.TOPIC, QuarantineTable.PARTITION, QuarantineTable.OFFSET);
              Dataset<Row> passed = quarantined.except(stillRejected);
              DeltaTable.forPath(spark, QuarantineTable.path(lake))
                  .as("t")
                  .merge(passed.as("s"), QuarantineTable.sameRecord(table.qualifiedName()))
                  .whenMatched()
                  .delete()
                  .execute();
            }
          });
      return moved[0];
    } finally {
      quarantined.unpersist();
    }
  }
}
