package io.medallion.workbench.generate;

/**
 * One record for Kafka, and what kind of test input it is.
 *
 * @param topic the topic it goes to
 * @param key the record key (UTF-8)
 * @param value the payload bytes; for bad records possibly not JSON or not text at all
 * @param kind valid, bad, a re-sent duplicate, or late
 */
public record GeneratedEvent(String topic, String key, byte[] value, Kind kind) {

  /** What a record is meant to exercise downstream. */
  public enum Kind {
    VALID,
    BAD,
    DUPLICATE,
    LATE
  }
}
