package io.medallion.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

import io.medallion.core.lake.BronzeContract;
import io.medallion.core.spark.FaultInjector;
import io.medallion.core.spec.Pipeline.Write;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.streaming.ExpiredTimerInfo;
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
 * Cross-batch de-duplication of an append table against state the streaming query keeps, instead of
 * against the whole table, so that a batch's cost does not grow with the table.
 *
 * <p>The query reads two streams: the bronze records to refine, and the rows the silver table
 * itself gained since the last batch (every writer's appends: earlier batches, quarantine
 * reprocessing). A {@code transformWithState} operator, keyed by the table's keys, learns the keys
 * from the silver rows and holds each until {@code dedupe_within} after its event time (a
 * processing-time timer clears it, with the first batch after that time). Each bronze record leaves
 * the operator marked with what the state says of its key:
 *
 * <ul>
 *   <li>{@link #HELD}: the table holds the key (a re-send, a duplicate);
 *   <li>{@link #NEW}: the table does not hold it. A record whose event time is within the horizon
 *       of the batch's time would find its first delivery in the state, whose event time is its
 *       own;
 *   <li>{@link #CHECK}: the state cannot say (an event time older than the horizon, or none): the
 *       writer checks the record against only the partitions it can live in.
 * </ul>
 *
 * Only accepted rows enter the state (they come from the table), so a quarantined record does not
 * hold its key against a valid re-send. The state is versioned with the checkpoint: a replayed
 * batch reads the same silver versions and the state as it was, and marks the same. The key and
 * event time are read from the payload before the transformation, which must pass them through.
 */
final class KeyStates {
  /** The column a marked bronze row carries: {@link #NEW}, {@link #HELD} or {@link #CHECK}. */
  static final String COLUMN = "__key_state";

  static final String NEW = "new";
  static final String HELD = "held";
  static final String CHECK = "check";

  /**
   * The column a {@link #HELD} row carries beside its mark: the {@link AppendWriter#payloadHash} of
   * the row the table holds under its key (null when the table keeps no hashes, having no
   * uniqueness rule on its keys, or when the state learnt the key before it kept hashes).
   */
  static final String HELD_HASH = "__held_hash";

  private static final String KEY = "__key";
  private static final String EVENT_MS = "__event_ms";
  private static final String FROM_SILVER = "__from_silver";
  private static final String HASH = "__hash";

  /** The bronze columns the parser reads, in the order the operator hands them on. */
  private static final List<String> BRONZE =
      List.of(
          BronzeContract.TOPIC,
          BronzeContract.PARTITION,
          BronzeContract.OFFSET,
          BronzeContract.INGESTED_AT,
          BronzeContract.VALUE);

  private final String table;
  private final Write write;
  private final JsonPayloadParser parser;
  private final boolean hashes;

  /**
   * @param table the table's qualified name, for its fault point ({@link TableRefiner#KEY_STATE})
   * @param hashes whether to keep each held key's payload hash (for a table that tells conflicts
   *     from re-sends); without, the state holds only the keys' times
   */
  KeyStates(String table, Write write, JsonPayloadParser parser, boolean hashes) {
    this.table = table;
    this.hashes = hashes;
    this.write = write;
    this.parser = parser;
  }

  /**
   * The bronze stream's rows (the columns the parser reads) with {@link #COLUMN}.
   *
   * @param bronze the bronze table's stream
   * @param silver the silver table's stream: the rows it gains
   * @param rowSchema the refined rows' columns, whose payload the state hashes
   */
  Dataset<Row> mark(Dataset<Row> bronze, Dataset<Row> silver, StructType rowSchema) {
    Dataset<Row> parsed = parser.parse(bronze, true);
    Dataset<Row> probes =
        parsed.select(
            col(SilverColumns.SOURCE_TOPIC).as(BronzeContract.TOPIC),
            col(SilverColumns.SOURCE_PARTITION).as(BronzeContract.PARTITION),
            col(SilverColumns.SOURCE_OFFSET).as(BronzeContract.OFFSET),
            col(SilverColumns.INGESTED_AT).as(BronzeContract.INGESTED_AT),
            col(BronzeContract.VALUE),
            key(),
            eventMillis(),
            lit(false).as(FROM_SILVER),
            lit(null).cast(DataTypes.LongType).as(HASH));
    StructType shape = probes.schema();
    List<Column> learned = new ArrayList<>();
    for (String c : BRONZE) {
      learned.add(lit(null).cast(shape.apply(c).dataType()).as(c));
    }
    learned.add(key());
    learned.add(eventMillis());
    learned.add(lit(true).as(FROM_SILVER));
    learned.add(
        hashes
            ? AppendWriter.payloadHash(AppendWriter.payloadColumns(rowSchema)).as(HASH)
            : lit(null).cast(DataTypes.LongType).as(HASH));
    Dataset<Row> rows = probes.unionByName(silver.select(learned.toArray(Column[]::new)));
    StructType keySchema = (StructType) shape.apply(KEY).dataType();
    int keyIndex = shape.fieldIndex(KEY);
    StructType out = new StructType();
    for (String c : BRONZE) {
      out = out.add(shape.apply(c));
    }
    out = out.add(COLUMN, DataTypes.StringType, false);
    out = out.add(HELD_HASH, DataTypes.LongType, true);
    return rows.groupByKey(
            (MapFunction<Row, Row>) r -> r.getStruct(keyIndex), Encoders.row(keySchema))
        .transformWithState(
            new Processor(
                TableRefiner.KEY_STATE + table,
                write.dedupeWithin().toMillis(),
                shape.fieldIndex(EVENT_MS)),
            TimeMode.ProcessingTime(),
            OutputMode.Append(),
            Encoders.row(out));
  }

  private Column key() {
    return struct(
            write.keys().stream().map(k -> col(JsonPayloadParser.quote(k))).toArray(Column[]::new))
        .as(KEY);
  }

  private Column eventMillis() {
    return expr("unix_millis(" + JsonPayloadParser.quote(write.eventTime()) + ")").as(EVENT_MS);
  }

  /**
   * Per key: the time (epoch ms) until which the key is held, with a timer that clears it then, and
   * the payload hash of the table's row.
   */
  static final class Processor extends StatefulProcessor<Row, Row, Row> {
    private static final long serialVersionUID = 1L;

    private final String faultPoint;
    private final long horizonMs;
    private final int eventIndex;
    private transient ValueState<Long> heldUntil;
    private transient ValueState<Long> payloadHash;

    Processor(String faultPoint, long horizonMs, int eventIndex) {
      this.faultPoint = faultPoint;
      this.horizonMs = horizonMs;
      this.eventIndex = eventIndex;
    }

    @Override
    public void init(OutputMode outputMode, TimeMode timeMode) {
      heldUntil = getHandle().getValueState("held_until", Encoders.LONG(), TTLConfig.NONE());
      payloadHash = getHandle().getValueState("payload_hash", Encoders.LONG(), TTLConfig.NONE());
    }

    @Override
    public scala.collection.Iterator<Row> handleInputRows(
        Row key, scala.collection.Iterator<Row> rows, TimerValues timers) {
      long now = timers.getCurrentProcessingTimeInMs();
      boolean complete = !key.anyNull();
      boolean held = complete && heldUntil.exists();
      long until = held ? heldUntil.get() : Long.MIN_VALUE;
      Long hash = held && payloadHash.exists() ? payloadHash.get() : null;
      Long learnt = null;
      List<Row> probes = new ArrayList<>();
      while (rows.hasNext()) {
        Row r = rows.next();
        if (r.getBoolean(eventIndex + 1)) {
          held = true;
          learnt = r.isNullAt(eventIndex + 2) ? learnt : Long.valueOf(r.getLong(eventIndex + 2));
          if (!r.isNullAt(eventIndex)) {
            until = Math.max(until, r.getLong(eventIndex) + horizonMs);
          }
        } else {
          probes.add(r);
        }
      }
      if (complete && until > now && (!heldUntil.exists() || until > heldUntil.get())) {
        if (heldUntil.exists()) {
          getHandle().deleteTimer(heldUntil.get());
        }
        heldUntil.update(until);
        getHandle().registerTimer(until);
      }
      if (learnt != null) {
        hash = learnt;
        if (heldUntil.exists()) {
          payloadHash.update(learnt);
        }
      }
      if (held && !probes.isEmpty()) {
        // A re-send found (its key's state updated if the batch's table rows moved it), the
        // batch's state version not committed yet.
        FaultInjector.installed().reach(faultPoint);
      }
      List<Row> out = new ArrayList<>(probes.size());
      for (Row r : probes) {
        String state;
        if (!complete) {
          // A key with a null part matches no row, as in a join on the key.
          state = NEW;
        } else if (held) {
          state = HELD;
        } else {
          state = !r.isNullAt(eventIndex) && now - r.getLong(eventIndex) < horizonMs ? NEW : CHECK;
        }
        out.add(
            RowFactory.create(
                r.get(0),
                r.get(1),
                r.get(2),
                r.get(3),
                r.get(4),
                state,
                HELD.equals(state) ? hash : null));
      }
      return CollectionConverters.asScala(out.iterator());
    }

    @Override
    public scala.collection.Iterator<Row> handleExpiredTimer(
        Row key, TimerValues timers, ExpiredTimerInfo expired) {
      heldUntil.clear();
      payloadHash.clear();
      return CollectionConverters.asScala(List.<Row>of().iterator());
    }
  }
}
