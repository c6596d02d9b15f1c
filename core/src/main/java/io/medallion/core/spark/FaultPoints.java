package io.medallion.core.spark;

/**
 * Named points in the write path where a fault test can halt the process, to make a crash happen
 * exactly there (after one table's write and before the next, or before a checkpoint commit).
 *
 * <p>Off unless the system property {@code medallion.fault.halt-at} names the point; then the JVM
 * halts with exit code {@value #HALT_EXIT_CODE} the first time the point is reached, as abruptly as
 * {@code kill -9}: no shutdown hooks, no flushing.
 */
public final class FaultPoints {
  /** The system property naming the point to halt at. */
  public static final String PROPERTY = "medallion.fault.halt-at";

  /**
   * Reached when a micro-batch's writes are all committed and Spark has yet to commit the batch to
   * the checkpoint: {@code batch-written:<writer>}.
   */
  public static final String BATCH_WRITTEN = "batch-written:";

  /** The exit code of a halted process. */
  public static final int HALT_EXIT_CODE = 137;

  private FaultPoints() {}

  /** Halts the JVM if the fault test named this point. */
  public static void reach(String point) {
    if (point.equals(System.getProperty(PROPERTY))) {
      halt(point);
    }
  }

  /** Halts the JVM now, saying where; for fault tests only. */
  public static void halt(String where) {
    System.err.println("medallion: halting at fault point " + where);
    System.err.flush();
    Runtime.getRuntime().halt(HALT_EXIT_CODE);
  }
}
