package io.medallion.core.spark;

/**
 * Names of the points in the write path where a fault test can halt the process (after one table's
 * write and before the next, or before a checkpoint commit). What happens there is up to the {@link
 * FaultInjector}: nothing in production.
 */
public final class FaultPoints {
  /** The system property a test sets in a child JVM to name the point to halt at. */
  public static final String PROPERTY = "medallion.fault.halt-at";

  /**
   * Reached when a micro-batch's writes are all committed and Spark has yet to commit the batch to
   * the checkpoint: {@code batch-written:<writer>}.
   */
  public static final String BATCH_WRITTEN = "batch-written:";

  /** The exit code of a halted process. */
  public static final int HALT_EXIT_CODE = 137;

  private FaultPoints() {}
}
