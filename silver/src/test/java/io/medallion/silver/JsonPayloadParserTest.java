package io.medallion.silver;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.lake.BronzeContract;
import io.medallion.core.spec.Pipeline.Field;
import io.medallion.core.spec.Pipeline.Payload;
import io.medallion.testkit.TestSpark;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The JSON parser on bronze rows built in memory: typed fields, lineage, raw text and rejects. */
class JsonPayloadParserTest {
  private static final Timestamp INGESTED = Timestamp.from(Instant.parse("2026-11-20T12:00:00Z"));

  private final SparkSession spark = TestSpark.get();

  private final JsonPayloadParser parser =
      new JsonPayloadParser(
          new Payload(
              "json",
              List.of(
                  new Field("event_id", "string", false),
                  new Field("position_s", "int", false),
                  new Field("event_time", "timestamp", true),
                  new Field("tags", "array<string>", false))));

  /** Parses values at offsets 0, 1, ... of partition 3 of topic {@code events}. */
  private List<Row> parse(byte[]... values) {
    List<Row> bronze = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      bronze.add(
          RowFactory.create(
              "events",
              3,
              (long) i,
              INGESTED,
              null,
              values[i],
              null,
              INGESTED,
              Date.valueOf("2026-11-20"),
              0L));
    }
    return parser
        .parse(spark.createDataFrame(bronze, BronzeContract.SCHEMA))
        .orderBy(SilverColumns.SOURCE_OFFSET)
        .collectAsList();
  }

  private static byte[] text(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  /** (rule, reason) of a parsed row, or null when it was typed. */
  private static List<String> reject(Row row) {
    Row reject = row.getStruct(row.fieldIndex(JsonPayloadParser.REJECT));
    return reject == null ? null : Arrays.asList(reject.getString(0), reject.getString(1));
  }

  @Test
  void aValidRecordIsTypedAndKeepsItsLineageAndRawText() {
    String json =
        "{\"event_id\":\"e1\",\"position_s\":42,\"event_time\":\"2026-11-20T10:00:00Z\","
            + "\"tags\":[\"a\",\"b\"],\"extra\":{\"x\":1}}";

    Row row = parse(text(json)).get(0);

    assertThat(Arrays.asList(row.schema().fieldNames()))
        .containsExactly(
            "event_id",
            "position_s",
            "event_time",
            "tags",
            "source_topic",
            "source_partition",
            "source_offset",
            "ingested_at",
            "_raw",
            "_raw_encoding",
            "__reject");
    assertThat(row.getString(0)).isEqualTo("e1");
    assertThat(row.getInt(1)).isEqualTo(42);
    assertThat(((Timestamp) row.get(2)).toInstant())
        .isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
    assertThat(row.getList(3)).containsExactly("a", "b");
    assertThat(row.getString(4)).isEqualTo("events");
    assertThat(row.getInt(5)).isEqualTo(3);
    assertThat(row.getLong(6)).isZero();
    assertThat(row.get(7)).isEqualTo(INGESTED);
    assertThat(row.getString(8)).isEqualTo(json);
    assertThat(row.getString(9)).isEqualTo("utf8");
    assertThat(reject(row)).isNull();
  }

  @Test
  void optionalFieldsMayBeAbsentOrNull() {
    Row row = parse(text("{\"event_id\":null,\"event_time\":\"2026-11-20T10:00:00Z\"}")).get(0);

    assertThat(reject(row)).isNull();
    assertThat(row.isNullAt(0)).isTrue();
    assertThat(row.isNullAt(1)).isTrue();
    assertThat(row.isNullAt(3)).isTrue();
  }

  @Test
  void aTombstoneAndAnEmptyValueArePayloadEmpty() {
    List<Row> rows = parse(null, new byte[0]);

    assertThat(reject(rows.get(0)))
        .containsExactly("payload_empty", "the value is null (a tombstone)");
    assertThat(rows.get(0).isNullAt(8)).isTrue();
    assertThat(rows.get(0).isNullAt(9)).isTrue();
    assertThat(reject(rows.get(1))).containsExactly("payload_empty", "the value is empty");
    assertThat(rows.get(1).getString(8)).isEmpty();
    assertThat(rows.get(1).getString(9)).isEqualTo("utf8");
  }

  @Test
  void bytesThatAreNotUtf8AreKeptAsBase64() {
    Row row = parse(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0x80}).get(0);

    assertThat(reject(row))
        .containsExactly("payload_not_utf8", "the value is not UTF-8 text (3 bytes)");
    assertThat(row.getString(8)).isEqualTo("//6A");
    assertThat(row.getString(9)).isEqualTo("base64");
  }

  @Test
  void textThatIsNotOneJsonObjectIsMalformedWithAnExcerptOfAtMost80Characters() {
    String longText = "x".repeat(81);
    String fits = "y".repeat(80);

    List<Row> rows =
        parse(text("{\"event_id\":\"e2\","), text("[1,2]"), text(longText), text(fits));

    assertThat(reject(rows.get(0)))
        .containsExactly("payload_malformed", "not a JSON object: {\"event_id\":\"e2\",");
    assertThat(reject(rows.get(1)))
        .containsExactly("payload_malformed", "not a JSON object: [1,2]");
    assertThat(reject(rows.get(2)))
        .containsExactly("payload_malformed", "not a JSON object: " + "x".repeat(80) + "...");
    assertThat(reject(rows.get(3)))
        .containsExactly("payload_malformed", "not a JSON object: " + fits);
    assertThat(rows.get(2).getString(8)).isEqualTo(longText);
  }

  @Test
  void aRequiredFieldMissingOrNullIsFieldMissing() {
    List<Row> rows =
        parse(text("{\"event_id\":\"e3\"}"), text("{\"event_id\":\"e4\",\"event_time\":null}"));

    assertThat(rows)
        .extracting(JsonPayloadParserTest::reject)
        .containsExactly(
            List.of("field_missing", "required field event_time is missing or null"),
            List.of("field_missing", "required field event_time is missing or null"));
  }

  @Test
  void aValueOfTheWrongTypeIsFieldWrongTypeNamingTheFieldAndValue() {
    List<Row> rows =
        parse(
            text("{\"position_s\":\"x\",\"event_time\":\"2026-11-20T10:00:00Z\"}"),
            text("{\"event_time\":\"not a time\"}"),
            text("{\"tags\":\"nope\",\"event_time\":\"2026-11-20T10:00:00Z\"}"),
            text("{\"position_s\":99999999999,\"event_time\":\"2026-11-20T10:00:00Z\"}"));

    assertThat(rows)
        .extracting(JsonPayloadParserTest::reject)
        .containsExactly(
            List.of("field_wrong_type", "field position_s: x is not a valid int"),
            List.of("field_wrong_type", "field event_time: not a time is not a valid timestamp"),
            List.of("field_wrong_type", "field tags: nope is not a valid array<string>"),
            List.of("field_wrong_type", "field position_s: 99999999999 is not a valid int"));
  }

  @Test
  void aMissingRequiredFieldIsReportedBeforeAWrongType() {
    Row row = parse(text("{\"position_s\":\"x\"}")).get(0);

    assertThat(reject(row))
        .containsExactly("field_missing", "required field event_time is missing or null");
  }

  @Test
  void quoteEscapesBackticks() {
    assertThat(JsonPayloadParser.quote("event_id")).isEqualTo("`event_id`");
    assertThat(JsonPayloadParser.quote("odd`name")).isEqualTo("`odd``name`");
  }
}
