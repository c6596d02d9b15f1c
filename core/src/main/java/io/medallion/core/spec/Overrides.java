package io.medallion.core.spec;

import java.time.Duration;
import java.util.Optional;

/**
 * What a command line says over the spec, applied once by {@link Pipeline#with(Overrides)} so that
 * the engines run the tables exactly as resolved.
 *
 * @param triggerInterval every query's continuous trigger interval
 * @param maxOffsetsPerTrigger the most records one bronze micro-batch reads
 * @param startingOffsets where a bronze query without a checkpoint starts
 * @param allowDataLoss go on past offsets Kafka no longer has, instead of stopping
 */
public record Overrides(
    Optional<Duration> triggerInterval,
    Optional<Long> maxOffsetsPerTrigger,
    Optional<StartingOffsets> startingOffsets,
    boolean allowDataLoss) {

  /** Nothing over the spec. */
  public static final Overrides NONE =
      new Overrides(Optional.empty(), Optional.empty(), Optional.empty(), false);

  /** Only a trigger interval, if given. */
  public static Overrides triggerInterval(Optional<Duration> interval) {
    return new Overrides(interval, Optional.empty(), Optional.empty(), false);
  }
}
