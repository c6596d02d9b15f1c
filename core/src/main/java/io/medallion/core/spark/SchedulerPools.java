package io.medallion.core.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The pools of Spark's fair scheduler that Medallion's jobs run in ({@code spark.scheduler.mode} is
 * {@code FAIR} by default, {@link SparkSessions#DEFAULTS}).
 *
 * <p>Every job runs in Spark's {@code default} pool, first come first served as under Spark's own
 * default, except a batch's bookkeeping: the one-row appends of its reconciliation and rule results
 * and its quarantined rows run in {@link #BOOKKEEPING}. The fair scheduler offers a free task slot
 * first to the pool with the fewest running tasks, so such a job's one task runs at the next free
 * slot instead of after every task the other queries queued before it; the query that waits for it
 * goes on sooner. Both pools are declared in {@code fairscheduler.xml} on the class path; Spark
 * creates a pool it does not find there with the same settings.
 */
public final class SchedulerPools {
  /** The local property that names a thread's pool. */
  public static final String PROPERTY = "spark.scheduler.pool";

  /** The pool of a batch's bookkeeping writes. */
  public static final String BOOKKEEPING = "bookkeeping";

  private SchedulerPools() {}

  /** Runs {@code work} with its jobs in {@code pool}, then restores the thread's pool. */
  public static void run(SparkSession spark, String pool, Runnable work) {
    SparkContext context = spark.sparkContext();
    String previous = context.getLocalProperty(PROPERTY);
    context.setLocalProperty(PROPERTY, pool);
    try {
      work.run();
    } finally {
      context.setLocalProperty(PROPERTY, previous);
    }
  }
}
