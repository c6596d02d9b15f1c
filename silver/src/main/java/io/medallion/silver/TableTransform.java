package io.medallion.silver;

import io.medallion.core.spec.JavaClasses;
import io.medallion.core.spec.Pipeline.Transform;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Applies a silver table's declared transformation: none, SQL over {@code input}, or a class. */
final class TableTransform {
  /** The view name a SQL transformation reads. */
  static final String INPUT_VIEW = "input";

  private final Transform spec;
  private final SilverTransform instance;

  TableTransform(Transform spec) {
    this.spec = spec;
    this.instance =
        switch (spec.kind()) {
          case CLASS -> instantiate(spec);
          case NONE, SQL -> null;
        };
  }

  Dataset<Row> apply(Dataset<Row> parsed) {
    return switch (spec.kind()) {
      case NONE -> parsed;
      case CLASS -> instance.apply(parsed);
      case SQL -> {
        // foreachBatch hands each query's batches in that query's own session, so the view name
        // cannot clash with another table's.
        parsed.createOrReplaceTempView(INPUT_VIEW);
        yield parsed.sparkSession().sql(spec.text());
      }
    };
  }

  private static SilverTransform instantiate(Transform spec) {
    String where = spec.specKey() + (spec.specLine() > 0 ? " (line " + spec.specLine() + ")" : "");
    return JavaClasses.instantiate(spec.text(), SilverTransform.class, where);
  }
}
