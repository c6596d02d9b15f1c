package io.medallion.testkit.faults;

import io.medallion.core.spark.FaultInjector;
import io.medallion.core.spark.FaultPoints;

/**
 * The test kit's fault hook: halts the JVM at the point the system property {@value
 * FaultPoints#PROPERTY} names, the first time it is reached, as abruptly as {@code kill -9} (no
 * shutdown hooks, no flushing). Registered as the {@link FaultInjector} service, so it is in force
 * wherever the test kit is on the classpath (test JVMs and the child pipelines they start) and
 * nowhere else.
 */
public final class HaltAtFaultPoint implements FaultInjector {
  @Override
  public void reach(String point) {
    if (point.equals(System.getProperty(FaultPoints.PROPERTY))) {
      halt(point);
    }
  }

  /** Halts the JVM now, saying where. */
  public static void halt(String where) {
    System.err.println("medallion: halting at fault point " + where);
    System.err.flush();
    Runtime.getRuntime().halt(FaultPoints.HALT_EXIT_CODE);
  }
}
