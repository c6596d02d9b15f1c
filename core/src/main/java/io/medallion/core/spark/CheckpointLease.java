package io.medallion.core.spark;

import io.medallion.core.error.Errors;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job per checkpoint on an object store, where no OS lock reaches another machine: a lease file
 * ({@value CheckpointGuard#LEASE_FILE}) that this JVM renews while it holds it. The renewing thread
 * is owned here: it starts with the first lease and stops when the last is released.
 */
final class CheckpointLease {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointLease.class);

  /** This JVM, as a lease owner: host, pid and a random id. */
  private static final String OWNER =
      hostName() + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID();

  /** Leases this JVM holds and renews, by checkpoint location. */
  private static final Map<String, Path> LEASES = new HashMap<>();

  /** Renews {@link #LEASES} while there are any; guarded by {@code LEASES}. */
  private static ScheduledExecutorService renewer;

  private CheckpointLease() {}

  /**
   * On an object store, where no OS lock reaches another machine: a lease file that the job renews
   * while it runs. A lease another job renewed within {@link #LEASE_TIMEOUT} stops this one; a
   * lease older than that belonged to a job that died. Two jobs started within the same second can
   * still both pass; one job per checkpoint remains the scheduler's job on a cluster, and this
   * catches the common mistake of a second job started beside a running one.
   */
  static void acquire(FileSystem fs, Path root, CheckpointGuard.Query query) throws IOException {
    Path file = new Path(root, CheckpointGuard.LEASE_FILE);
    String key = query.checkpoint();
    synchronized (LEASES) {
      if (LEASES.containsKey(key)) {
        return;
      }
      if (fs.exists(file)) {
        Properties held = new Properties();
        try (InputStream in = fs.open(file)) {
          held.load(in);
        }
        long renewed = Long.parseLong(held.getProperty("renewed", "0"));
        long age = System.currentTimeMillis() - renewed;
        if (!OWNER.equals(held.getProperty("owner"))
            && age < CheckpointGuard.LEASE_TIMEOUT.toMillis()) {
          throw Errors.checkpointLeased(
              held.getProperty("owner"),
              Math.max(0, age / 1000),
              query.name(),
              root.toString(),
              CheckpointGuard.LEASE_TIMEOUT);
        }
      }
      writeLease(fs, file);
      LEASES.put(key, file);
      if (renewer == null) {
        long period = CheckpointGuard.LEASE_TIMEOUT.toMillis() / 4;
        renewer =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "medallion-checkpoint-lease");
                  t.setDaemon(true);
                  return t;
                });
        renewer.scheduleWithFixedDelay(
            () -> renewLeases(fs.getConf()), period, period, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** Gives up this JVM's lease on {@code checkpoint}; the renewer stops with the last lease. */
  static void release(String checkpoint) {
    synchronized (LEASES) {
      LEASES.remove(checkpoint);
      if (LEASES.isEmpty() && renewer != null) {
        renewer.shutdownNow();
        renewer = null;
      }
    }
  }

  private static void renewLeases(org.apache.hadoop.conf.Configuration conf) {
    synchronized (LEASES) {
      for (Path lease : LEASES.values()) {
        try {
          writeLease(lease.getFileSystem(conf), lease);
        } catch (IOException | RuntimeException e) {
          LOG.warn("cannot renew the checkpoint lease {}: {}", lease, e.toString());
        }
      }
    }
  }

  private static void writeLease(FileSystem fs, Path file) throws IOException {
    Properties p = new Properties();
    p.setProperty("owner", OWNER);
    p.setProperty("renewed", String.valueOf(System.currentTimeMillis()));
    try (OutputStream out = fs.create(file, true)) {
      p.store(out, "The job running the query of this checkpoint; renewed while it runs");
    }
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "unknown-host";
    }
  }
}
