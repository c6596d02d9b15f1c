package io.medallion.bronze;

import java.util.Map;

/**
 * Where and how a bronze ingestion runs; what it ingests, and with which settings, is in the tables
 * it is given (the spec's, with the command line's overrides applied once by {@code
 * Pipeline.with(Overrides)}).
 *
 * @param bootstrapServers Kafka's bootstrap servers
 * @param kafkaConf extra Kafka consumer settings (security), without the {@code kafka.} prefix
 * @param once read what is available, then stop ({@code Trigger.AvailableNow})
 */
public record IngestOptions(String bootstrapServers, Map<String, String> kafkaConf, boolean once) {

  /** Options without extra Kafka settings. */
  public static IngestOptions of(String bootstrapServers, boolean once) {
    return new IngestOptions(bootstrapServers, Map.of(), once);
  }
}
