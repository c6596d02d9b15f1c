package io.medallion.core.lake;

/**
 * How far a Delta streaming source's offset (the {@code reservoirVersion} and {@code index} of an
 * {@code offsets/<batch>} line) has read its table.
 */
public final class DeltaSourceOffset {
  /**
   * Delta marks a version read to its end with an index near {@code Long.MAX_VALUE}; anything this
   * high is that mark, never a file index.
   */
  private static final long VERSION_END_INDEX = Long.MAX_VALUE - 1_000_000;

  private DeltaSourceOffset() {}

  /**
   * The newest version read to its end: the offset's own when it marks that version's end, else the
   * one before it (an offset at the start of a version, or inside it, has read only the versions
   * before it whole).
   */
  public static long versionReadWhole(long reservoirVersion, long index) {
    return index >= VERSION_END_INDEX ? reservoirVersion : reservoirVersion - 1;
  }

  /** Whether the offset stops inside its version, after some of its files and before its end. */
  public static boolean insideVersion(long index) {
    return index >= 0 && index < VERSION_END_INDEX;
  }
}
