package io.medallion.testkit.faults;

import io.medallion.core.lake.ForklessLocalFileSystem;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local Hadoop filesystem (Medallion's, {@link ForklessLocalFileSystem}), with faults on
 * demand: a data file's creation fails as on a full disk, or halts the JVM as {@code kill -9} would
 * in the middle of a write (after some of a batch's files were written, before its Delta commit).
 *
 * <p>Installed as {@code fs.file.impl} ({@link #HADOOP_CONF}); Delta's commit files and Spark's
 * checkpoint files go through Hadoop's FileContext, not this class, so only data files (Parquet)
 * are affected. In this JVM {@link #failCreates} switches failures on; a child JVM takes the system
 * properties {@value #FAIL_PROPERTY} and {@value #HALT_PROPERTY}, each a fragment of the paths to
 * fail or halt on.
 */
public class FaultFileSystem extends ForklessLocalFileSystem {
  /** The Spark setting that installs this filesystem for {@code file:} paths. */
  public static final String HADOOP_CONF = "spark.hadoop.fs.file.impl";

  /** Fail every data file created under a path containing this fragment. */
  public static final String FAIL_PROPERTY = "medallion.fault.fail-create";

  /** Halt the JVM when a data file is created under a path containing this fragment. */
  public static final String HALT_PROPERTY = "medallion.fault.halt-on-create";

  /** The message of an injected failure. */
  public static final String DISK_FULL = "No space left on device (injected by FaultFileSystem)";

  private static volatile String failing;

  private static final AtomicReference<Map.Entry<String, Runnable>> ONCE = new AtomicReference<>();

  /**
   * Runs {@code action} once, on the writing thread, when a data file is next created under a path
   * containing {@code fragment}: something that must happen in the middle of a write, such as
   * another writer's commit.
   */
  public static void onCreate(String fragment, Runnable action) {
    ONCE.set(Map.entry(fragment, action));
  }

  /** Fails data files created under paths containing {@code fragment}; null stops failing. */
  public static void failCreates(String fragment) {
    failing = fragment;
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    String path = f.toString();
    if (path.endsWith(".parquet")) {
      String fail = failing != null ? failing : System.getProperty(FAIL_PROPERTY);
      if (fail != null && path.contains(fail)) {
        throw new IOException(DISK_FULL + ": " + path);
      }
      Map.Entry<String, Runnable> once = ONCE.get();
      if (once != null && path.contains(once.getKey()) && ONCE.compareAndSet(once, null)) {
        once.getValue().run();
      }
      String halt = System.getProperty(HALT_PROPERTY);
      if (halt != null && path.contains(halt)) {
        HaltAtFaultPoint.halt("creating " + path);
      }
    }
    return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
  }
}
