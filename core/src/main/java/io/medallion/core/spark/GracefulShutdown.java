package io.medallion.core.spark;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns Ctrl-C and SIGTERM into a request to stop after the current micro-batch.
 *
 * <p>The hook runs before Spark's own shutdown hook (which would stop the SparkContext under a
 * running batch), sets {@link #requested()}, and waits until the job calls {@link #finished()} or
 * the grace period ends.
 */
public final class GracefulShutdown {
  /** Hadoop runs higher priorities first; Spark registers its hook at 40. */
  private static final int PRIORITY = 100;

  private final AtomicBoolean requested = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);

  private GracefulShutdown() {}

  /** Registers the hook; {@code grace} bounds how long a stop may wait for the current batch. */
  public static GracefulShutdown install(Duration grace) {
    GracefulShutdown shutdown = new GracefulShutdown();
    org.apache.hadoop.util.ShutdownHookManager.get()
        .addShutdownHook(
            () -> {
              shutdown.requested.set(true);
              try {
                shutdown.finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            PRIORITY,
            grace.toMillis() + 5_000,
            TimeUnit.MILLISECONDS);
    return shutdown;
  }

  /** Whether a stop was requested. */
  public boolean requested() {
    return requested.get();
  }

  /** Tells the hook that the job has stopped its queries, so the JVM may go on exiting. */
  public void finished() {
    finished.countDown();
  }
}
