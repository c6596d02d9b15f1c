package io.medallion.bronze;

import io.medallion.core.spec.StartingOffsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How a bronze ingestion runs. The optional values override the pipeline spec's, which override the
 * built-in defaults.
 *
 * @param bootstrapServers Kafka's bootstrap servers
 * @param kafkaConf extra Kafka consumer settings (security), without the {@code kafka.} prefix
 * @param once read what is available, then stop ({@code Trigger.AvailableNow})
 * @param triggerInterval continuous mode's trigger interval
 * @param maxOffsetsPerTrigger the most records per micro-batch
 * @param startingOffsets where a query without a checkpoint starts
 * @param allowDataLoss go on past offsets Kafka no longer has, instead of stopping
 */
public record IngestOptions(
    String bootstrapServers,
    Map<String, String> kafkaConf,
    boolean once,
    Optional<Duration> triggerInterval,
    Optional<Long> maxOffsetsPerTrigger,
    Optional<StartingOffsets> startingOffsets,
    boolean allowDataLoss) {

  /** Options that take everything else from the spec. */
  public static IngestOptions of(String bootstrapServers, boolean once) {
    return new IngestOptions(
        bootstrapServers,
        Map.of(),
        once,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        false);
  }
}
