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
  private static final Map<String, Held> LEASES = new HashMap<>();

  /** A lease file this JVM holds, and the file system it is on. */
  private record Held(FileSystem fs, Path file) {}

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
      LEASES.put(key, new Held(fs, file));
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
            CheckpointLease::renewLeases, period, period, TimeUnit.MILLISECONDS);
      }
    }
  }

  /**
   * Gives up this JVM's lease on {@code checkpoint} and deletes its file, so that the next job (a
   * scheduled batch run a minute later) need not wait for it to expire; a file another job took
   * over meanwhile is left alone. The renewer stops with the last lease.
   */
  static void release(String checkpoint) {
    synchronized (LEASES) {
      Held held = LEASES.remove(checkpoint);
      if (held != null) {
        deleteIfOurs(held);
      }
      if (LEASES.isEmpty() && renewer != null) {
        renewer.shutdownNow();
        renewer = null;
      }
    }
  }

  private static void renewLeases() {
    synchronized (LEASES) {
      for (Held lease : LEASES.values()) {
        try {
          writeLease(lease.fs(), lease.file());
        } catch (IOException | RuntimeException e) {
          LOG.warn("cannot renew the checkpoint lease {}: {}", lease.file(), e.toString());
        }
      }
    }
  }

  private static void deleteIfOurs(Held lease) {
    try {
      if (!lease.fs().exists(lease.file())) {
        return;
      }
      Properties current = new Properties();
      try (InputStream in = lease.fs().open(lease.file())) {
        current.load(in);
      }
      if (OWNER.equals(current.getProperty("owner"))) {
        lease.fs().delete(lease.file(), false);
      }
    } catch (IOException | RuntimeException e) {
      // The lease then expires on its own, LEASE_TIMEOUT after its last renewal.
      LOG.warn("cannot delete the checkpoint lease {}: {}", lease.file(), e.toString());
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
