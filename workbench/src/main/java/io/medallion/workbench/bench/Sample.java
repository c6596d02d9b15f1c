package io.medallion.workbench.bench;

import java.util.Map;

/**
 * One measured round of one stage. A stage returns 0 for {@code heap} and {@code rss}: {@link
 * Benchmark} fills them in with the peaks it watched while the stage ran.
 *
 * @param rows the rows the stage processed
 * @param seconds how long it took
 * @param heap the heap's peak while it ran, in bytes ({@link MemoryPeaks#heap()})
 * @param rss the process's resident memory's peak, in bytes ({@link MemoryPeaks#rss()})
 * @param detail what else the stage reports, under its JSON {@code detail}
 */
record Sample(long rows, double seconds, long heap, long rss, Map<String, Object> detail) {}
