package io.medallion.core.spark;

import java.util.ServiceLoader;

/**
 * A hook at the named points of the write path ({@link FaultPoints}) where a fault test can make a
 * crash happen exactly there. In production nothing implements it and every point is a no-op; the
 * test kit registers one (a {@code META-INF/services} entry) that halts the JVM at the point a test
 * names, as abruptly as {@code kill -9}.
 */
public interface FaultInjector {
  /** Does nothing at any point. */
  FaultInjector NONE = point -> {};

  /** Called when the write path reaches {@code point}. */
  void reach(String point);

  /** The injector on the classpath, or {@link #NONE}; looked up once per JVM. */
  static FaultInjector installed() {
    return Installed.INJECTOR;
  }

  /** Holds the injector found on the classpath (a constant, looked up on first use). */
  final class Installed {
    static final FaultInjector INJECTOR =
        ServiceLoader.load(FaultInjector.class).findFirst().orElse(NONE);

    private Installed() {}
  }
}
