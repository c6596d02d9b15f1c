package io.medallion.core.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Runs independent writes of one batch side by side, each in a thread of its own, and waits for all
 * of them.
 *
 * <p>A write's driver side (planning, Delta's log, the commit) runs on its own thread, and its
 * Spark job queues for the executors beside the others' instead of after them: on a machine whose
 * cores the other queries keep busy, a one-row append spends most of its time waiting for a task
 * slot (docs/performance.md, "Where the silver steps and the MERGEs wait").
 *
 * <p>Each thread starts with a copy of the calling thread's Spark local properties (they are
 * inheritable): the streaming query's id, which idempotent writes name their transactions by, the
 * query's job group, which stopping the query cancels, and its scheduler pool.
 */
public final class SideBySide {
  private SideBySide() {}

  /**
   * Runs every write and returns when all have ended. If any failed, throws the first failure, with
   * the others suppressed in it; the ones that succeeded stay done (each write must be safe to run
   * again, as a replayed batch does).
   *
   * @param name names the threads, for thread dumps and profiles
   */
  public static void run(String name, List<Runnable> writes) {
    if (writes.size() == 1) {
      writes.get(0).run();
      return;
    }
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < writes.size(); i++) {
      Runnable write = writes.get(i);
      Thread thread =
          new Thread(
              () -> {
                try {
                  write.run();
                } catch (Throwable e) {
                  failures.add(e);
                }
              },
              name + "-" + i);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
    boolean interrupted = false;
    for (Thread thread : threads) {
      while (true) {
        try {
          thread.join();
          break;
        } catch (InterruptedException e) {
          // Stopping the query: the writes see it too, and are waited for, so that none runs on
          // after the batch has ended.
          interrupted = true;
          threads.forEach(Thread::interrupt);
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (!failures.isEmpty()) {
      Throwable first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      if (first instanceof RuntimeException r) {
        throw r;
      }
      if (first instanceof Error e) {
        throw e;
      }
      throw new IllegalStateException(name + " failed", first);
    }
  }
}
