package io.medallion.workbench.generate;

import java.time.Instant;

/**
 * What the event generator produces.
 *
 * @param events how many records in all, over the three topics
 * @param seed the same seed and start time give byte-identical records
 * @param badFraction share of malformed records: broken JSON, wrong types, missing fields, junk
 * @param duplicateFraction share of records that re-send an earlier event unchanged
 * @param lateFraction share of valid events whose event time is hours in the past
 * @param startTime the newest event time; without a rate, events lead up to it
 * @param rate events per second, or 0 for as fast as possible (event times then spread at 100/s)
 * @param titles size of the title catalog
 * @param users number of distinct members
 */
public record GeneratorSettings(
    long events,
    long seed,
    double badFraction,
    double duplicateFraction,
    double lateFraction,
    Instant startTime,
    double rate,
    int titles,
    int users) {

  /** Checks the settings; returns a message naming the bad one, or null if they are fine. */
  public String problem() {
    if (events < 0) {
      return "--events must be 0 or more";
    }
    if (rate < 0) {
      return "--rate must be 0 (unlimited) or more";
    }
    for (double f : new double[] {badFraction, duplicateFraction, lateFraction}) {
      if (f < 0 || f > 1) {
        return "the fractions (--bad-fraction, --duplicate-fraction, --late-fraction) must be"
            + " between 0 and 1";
      }
    }
    if (badFraction + duplicateFraction > 1) {
      return "--bad-fraction plus --duplicate-fraction must not exceed 1";
    }
    if (titles < 1 || users < 1) {
      return "there must be at least one title and one user";
    }
    return null;
  }
}
