package io.medallion.workbench.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The peak heap and the peak resident memory of this process since the last {@link #reset()}.
 *
 * <p>The heap peak is the sum of each heap pool's own peak (G1's eden, survivor and old
 * generation), so it is an upper bound of what was in use at any one moment. The resident peak is
 * Linux's high-water mark ({@code VmHWM}); writing 5 to {@code /proc/self/clear_refs} resets it.
 * Where that is not allowed, the resident peak covers the whole process lifetime, and {@link
 * #rssSinceReset()} says so.
 */
final class MemoryPeaks {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private boolean rssReset;

  /** Starts a new measuring interval. */
  void reset() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
    try {
      Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII);
      rssReset = true;
    } catch (IOException | SecurityException e) {
      rssReset = false;
    }
  }

  /** Bytes: the sum of the heap pools' peaks since {@link #reset()}. */
  long heap() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  /** Bytes: the process's peak resident set, or -1 where /proc is not there. */
  long rss() {
    try {
      for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmHWM:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** Whether the resident peak started at the last reset (else: at the process's start). */
  boolean rssSinceReset() {
    return rssReset;
  }
}
