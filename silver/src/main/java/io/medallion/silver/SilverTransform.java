package io.medallion.silver;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A silver table's transformation in Java, for what SQL says badly. Name the class in the spec
 * ({@code transform: {class: com.example.MyTransform}}); it needs a public no-argument constructor.
 *
 * <p>The input has the payload's typed fields, the lineage columns {@code source_topic}, {@code
 * source_partition}, {@code source_offset}, {@code ingested_at}, and the raw payload columns {@code
 * _raw} and {@code _raw_encoding}. The output must keep the lineage and raw columns. A row the
 * transformation removes is counted as dropped.
 */
public interface SilverTransform {
  /** Transforms one micro-batch of parsed rows. */
  Dataset<Row> apply(Dataset<Row> input);
}
