package io.medallion.gold;

import io.medallion.core.spark.FaultInjector;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StatefulProcessor;
import org.apache.spark.sql.streaming.TTLConfig;
import org.apache.spark.sql.streaming.TimeMode;
import org.apache.spark.sql.streaming.TimerValues;
import org.apache.spark.sql.streaming.ValueState;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The members an {@link IncrementalAggregate}'s distinct counts have counted, per group, held in
 * the streaming query's state (RocksDB, versioned with the checkpoint): each source row leaves
 * marked {@link IncrementalAggregate#NEW_MEMBER} true when it is the first of its (group, member)
 * pair, in this batch and every batch before. A replayed batch reads the state as it was before it,
 * and marks the same rows.
 *
 * <p>The state holds every pair the table has counted, so it grows with the distinct pairs of the
 * sources (not with their rows), and a batch looks up only its own pairs.
 */
final class DistinctMembers {
  private static final String KEY = "__member_key";

  private DistinctMembers() {}

  /**
   * @param table the gold table's qualified name, for its fault point
   * @param rows the query's source rows ({@link IncrementalAggregate#sourceRows}), streaming
   */
  static Dataset<Row> mark(String table, IncrementalAggregate plan, Dataset<Row> rows) {
    String key =
        "struct("
            + String.join(", ", plan.groupExpressions())
            + ", "
            + io.medallion.core.lake.Sql.identifier(plan.member())
            + ") AS "
            + KEY;
    Dataset<Row> keyed = rows.selectExpr("*", key);
    StructType shape = keyed.schema();
    int keyIndex = shape.fieldIndex(KEY);
    StructType keySchema = (StructType) shape.apply(KEY).dataType();
    StructType out = rows.schema().add(IncrementalAggregate.NEW_MEMBER, DataTypes.BooleanType);
    return keyed
        .groupByKey((MapFunction<Row, Row>) r -> r.getStruct(keyIndex), Encoders.row(keySchema))
        .transformWithState(
            new Processor(GoldAggregation.MEMBER_STATE + table, keyIndex),
            TimeMode.None(),
            OutputMode.Append(),
            Encoders.row(out));
  }

  /** Per (group, member): whether the table has counted the member in the group. */
  static final class Processor extends StatefulProcessor<Row, Row, Row> {
    private static final long serialVersionUID = 1L;

    private final String faultPoint;
    private final int keyIndex;
    private transient ValueState<Boolean> counted;

    Processor(String faultPoint, int keyIndex) {
      this.faultPoint = faultPoint;
      this.keyIndex = keyIndex;
    }

    @Override
    public void init(OutputMode outputMode, TimeMode timeMode) {
      counted = getHandle().getValueState("counted", Encoders.BOOLEAN(), TTLConfig.NONE());
    }

    @Override
    public scala.collection.Iterator<Row> handleInputRows(
        Row key, scala.collection.Iterator<Row> rows, TimerValues timers) {
      // A null member is not counted, as count(DISTINCT) leaves nulls out.
      boolean fresh = !key.isNullAt(key.length() - 1) && !counted.exists();
      if (fresh) {
        counted.update(true);
        // The member is in the state, the batch's state version not committed yet.
        FaultInjector.installed().reach(faultPoint);
      }
      List<Row> out = new ArrayList<>();
      while (rows.hasNext()) {
        Row r = rows.next();
        Object[] values = new Object[keyIndex + 1];
        for (int i = 0; i < keyIndex; i++) {
          values[i] = r.get(i);
        }
        values[keyIndex] = fresh;
        fresh = false;
        out.add(RowFactory.create(values));
      }
      return CollectionConverters.asScala(out.iterator());
    }
  }
}
