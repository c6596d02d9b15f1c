package io.medallion.silver;

import java.util.List;

/** Column names silver adds to the payload's fields. */
public final class SilverColumns {
  /** Lineage: the Kafka record each silver row came from. */
  public static final String SOURCE_TOPIC = "source_topic";

  public static final String SOURCE_PARTITION = "source_partition";
  public static final String SOURCE_OFFSET = "source_offset";

  /** When bronze ingested the record; rules compare event times with it, not with the clock. */
  public static final String INGESTED_AT = "ingested_at";

  /** The raw payload as text, or base64 when it is not UTF-8; never written to silver tables. */
  public static final String RAW = "_raw";

  /** {@code utf8} or {@code base64}: how {@link #RAW} encodes the bytes. */
  public static final String RAW_ENCODING = "_raw_encoding";

  /** SCD type 2: the version's validity and whether it is the key's current version. */
  public static final String VALID_FROM = "valid_from";

  public static final String VALID_TO = "valid_to";
  public static final String IS_CURRENT = "is_current";

  /** The columns that say how a record was delivered, which a re-send of it changes. */
  public static final List<String> DELIVERY =
      List.of(SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET, INGESTED_AT);

  /** The columns every transformation must keep. */
  public static final List<String> CARRIED =
      List.of(SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET, INGESTED_AT, RAW, RAW_ENCODING);

  private SilverColumns() {}
}
