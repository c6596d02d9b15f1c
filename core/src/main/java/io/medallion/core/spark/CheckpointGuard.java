package io.medallion.core.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.DeltaWrites;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Checks a streaming query's checkpoint before the query starts, so that the faults Spark would not
 * notice, or would notice only after writing, stop the job first with a message that says what to
 * do:
 *
 * <ul>
 *   <li>a second process on the same checkpoint (local lakes: an OS file lock, released by the OS
 *       even after {@code kill -9}; object stores: a lease the job renews while it runs);
 *   <li>a checkpoint file that is empty or cut short;
 *   <li>a checkpoint that is gone while its table holds rows written through it;
 *   <li>a query whose definition (its source, keys, SQL) changed since the checkpoint was made.
 * </ul>
 */
public final class CheckpointGuard {
  /** The file in a checkpoint that records the definition of the query that made it. */
  public static final String DEFINITION_FILE = "medallion-query.properties";

  /** The lock file in a local checkpoint. */
  public static final String LOCK_FILE = "medallion.lock";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The lease file in a checkpoint on an object store. */
  public static final String LEASE_FILE = "medallion.lease";

  /** How long a lease lasts without renewal. */
  public static final Duration LEASE_TIMEOUT = Duration.ofSeconds(60);

  /** This JVM, as a lease owner: host, pid and a random id. */
  private static final String OWNER =
      hostName() + ":" + ProcessHandle.current().pid() + ":" + UUID.randomUUID();

  /** Leases this JVM holds and renews, by checkpoint location. */
  private static final Map<String, Path> LEASES = new HashMap<>();

  /** Locks this JVM holds, by checkpoint location, until {@link #release} or the JVM exits. */
  private static final Map<String, FileChannel> HELD = new HashMap<>();

  private CheckpointGuard() {}

  /**
   * A streaming query about to start.
   *
   * @param name the query's name, such as {@code silver.plays}
   * @param checkpoint its checkpoint location
   * @param table the Delta table it writes
   * @param definition what identifies the query: if any of it changes, the checkpoint no longer
   *     describes the query
   * @param fixIfMissing what to do when the checkpoint is missing but the table is not empty; empty
   *     when the caller resumes from the table by itself
   * @param written whether the query's output holds what an earlier run wrote; null: whether {@code
   *     table} has a Delta transaction of the query's writer
   */
  public record Query(
      String name,
      String checkpoint,
      String table,
      Map<String, String> definition,
      String fixIfMissing,
      java.util.function.BooleanSupplier written) {
    /** A query whose table holds what its writer committed, by Delta transaction ids. */
    public Query(
        String name,
        String checkpoint,
        String table,
        Map<String, String> definition,
        String fixIfMissing) {
      this(name, checkpoint, table, definition, fixIfMissing, null);
    }
  }

  /**
   * Checks and prepares the checkpoint.
   *
   * @return true when the checkpoint is new (or was lost) while the table already holds rows this
   *     query's writer committed; a caller that did not give a fix resumes from the table itself
   * @throws MedallionException when the query must not start
   */
  public static boolean prepare(SparkSession spark, Query query) {
    String location = Checkpoints.ensure(spark, query.checkpoint());
    Path root = new Path(location);
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      lock(fs, root, query);
      boolean started = hasFiles(fs, new Path(root, "offsets"));
      if (started) {
        checkFiles(fs, root, query);
      }
      checkDefinition(fs, root, query, started);
      boolean written =
          !started
              && (query.written() != null
                  ? query.written().getAsBoolean()
                  : writtenBefore(spark, query));
      if (!written) {
        return false;
      }
      if (!query.fixIfMissing().isEmpty()) {
        throw new MedallionException(
            query.name()
                + " holds rows written through the checkpoint "
                + location
                + ", which is now missing or empty. Started without it, the query would read its"
                + " source from the beginning again.",
            query.fixIfMissing());
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check the checkpoint " + location, e);
    }
  }

  private static void lock(FileSystem fs, Path root, Query query) throws IOException {
    if (!"file".equals(fs.getScheme())) {
      lease(fs, root, query);
      return;
    }
    java.nio.file.Path file = Paths.get(fs.makeQualified(root).toUri()).resolve(LOCK_FILE);
    String key = query.checkpoint();
    synchronized (HELD) {
      if (HELD.containsKey(key)) {
        return;
      }
      FileChannel channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      if (lock == null) {
        ByteBuffer holder = ByteBuffer.allocate(200);
        channel.read(holder, 0);
        channel.close();
        String pid = new String(holder.array(), 0, holder.position(), StandardCharsets.UTF_8);
        throw new MedallionException(
            "another process (pid "
                + pid.trim()
                + ") is already running "
                + query.name()
                + " on the checkpoint "
                + root
                + ". Two queries on one checkpoint would both write the table and corrupt the"
                + " checkpoint.",
            "Stop the other process first (Ctrl-C, or kill "
                + pid.trim()
                + "), or run this job on another lake root.");
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(
              String.valueOf(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)),
          0);
      channel.force(false);
      HELD.put(key, channel);
    }
  }

  /**
   * On an object store, where no OS lock reaches another machine: a lease file that the job renews
   * while it runs. A lease another job renewed within {@link #LEASE_TIMEOUT} stops this one; a
   * lease older than that belonged to a job that died. Two jobs started within the same second can
   * still both pass; one job per checkpoint remains the scheduler's job on a cluster, and this
   * catches the common mistake of a second job started beside a running one.
   */
  private static void lease(FileSystem fs, Path root, Query query) throws IOException {
    Path file = new Path(root, LEASE_FILE);
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
        if (!OWNER.equals(held.getProperty("owner")) && age < LEASE_TIMEOUT.toMillis()) {
          throw new MedallionException(
              "another job ("
                  + held.getProperty("owner")
                  + ", lease renewed "
                  + Math.max(0, age / 1000)
                  + " s ago) is running "
                  + query.name()
                  + " on the checkpoint "
                  + root
                  + ". Two jobs on one checkpoint would both write the table; on S3 without"
                  + " the DynamoDB LogStore their commits can overwrite each other.",
              "Stop the other job first. If it died, its lease expires "
                  + LEASE_TIMEOUT.toSeconds()
                  + " s after its last renewal; then start this one again.");
        }
      }
      writeLease(fs, file);
      LEASES.put(key, file);
      if (LEASES.size() == 1) {
        long period = LEASE_TIMEOUT.toMillis() / 4;
        Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "medallion-checkpoint-lease");
                  t.setDaemon(true);
                  return t;
                })
            .scheduleWithFixedDelay(
                () -> renewLeases(fs.getConf()), period, period, TimeUnit.MILLISECONDS);
      }
    }
  }

  private static void renewLeases(org.apache.hadoop.conf.Configuration conf) {
    synchronized (LEASES) {
      for (Path lease : LEASES.values()) {
        try {
          writeLease(lease.getFileSystem(conf), lease);
        } catch (IOException | RuntimeException e) {
          System.err.println("medallion: cannot renew the checkpoint lease " + lease + ": " + e);
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

  private static boolean hasFiles(FileSystem fs, Path dir) throws IOException {
    return fs.exists(dir) && Arrays.stream(fs.listStatus(dir)).anyMatch(CheckpointGuard::isLogFile);
  }

  private static boolean isLogFile(FileStatus status) {
    String name = status.getPath().getName();
    return status.isFile() && !name.startsWith(".") && name.chars().allMatch(Character::isDigit);
  }

  /**
   * Spark writes every checkpoint file whole (a temporary file, then a rename). An empty or cut
   * file therefore means a disk or copy problem, and Spark would fail on it with a parse error or,
   * for some files, ignore it and re-plan a batch differently.
   */
  private static void checkFiles(FileSystem fs, Path root, Query query) throws IOException {
    checkJson(fs, new Path(root, "metadata"), query, true);
    for (String log : new String[] {"offsets", "commits"}) {
      Path dir = new Path(root, log);
      if (!fs.exists(dir)) {
        continue;
      }
      Optional<FileStatus> latest =
          Arrays.stream(fs.listStatus(dir))
              .filter(CheckpointGuard::isLogFile)
              .max(Comparator.comparingLong(s -> Long.parseLong(s.getPath().getName())));
      if (latest.isPresent()) {
        checkJson(fs, latest.get().getPath(), query, false);
      }
    }
  }

  /** Checks a file of a version line (unless {@code plainJson}) followed by JSON lines. */
  private static void checkJson(FileSystem fs, Path file, Query query, boolean plainJson)
      throws IOException {
    String text;
    // The raw bytes: on a local disk, a checksum mismatch would hide what is wrong with them.
    FileSystem raw = fs instanceof ChecksumFileSystem checked ? checked.getRawFileSystem() : fs;
    try (InputStream in = raw.open(file)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.FileNotFoundException e) {
      throw damaged(file, query, "is missing");
    }
    String[] lines = text.split("\n");
    if (text.isBlank() || (!plainJson && (!lines[0].startsWith("v") || lines.length < 2))) {
      throw damaged(file, query, text.isBlank() ? "is empty" : "is cut short");
    }
    for (int i = plainJson ? 0 : 1; i < lines.length; i++) {
      try {
        JSON.readTree(lines[i]);
      } catch (IOException e) {
        throw damaged(file, query, "is cut short or corrupt (line " + (i + 1) + ")");
      }
    }
  }

  private static MedallionException damaged(Path file, Query query, String what) {
    return new MedallionException(
        "the checkpoint file "
            + file
            + " of "
            + query.name()
            + " "
            + what
            + ". Spark writes checkpoint files whole, so the file was damaged after it was"
            + " written (a full disk, a partial copy or restore).",
        "Restore the checkpoint folder "
            + query.checkpoint()
            + " from a backup if you have one. Otherwise rebuild the query's state as"
            + " docs/reliability.md describes for "
            + query.name()
            + "'s layer (bronze: move the checkpoint aside and rerun; bronze resumes from the"
            + " offsets its table holds).");
  }

  private static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "unknown-host";
    }
  }

  /**
   * Releases what this JVM holds on a checkpoint (its lock, or on an object store its lease), once
   * the query on it has stopped, so that another process may run it.
   */
  public static void release(String checkpoint) {
    synchronized (HELD) {
      FileChannel channel = HELD.remove(checkpoint);
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException e) {
          // Closing releases the lock; the OS releases it at exit anyway.
        }
      }
    }
    synchronized (LEASES) {
      LEASES.remove(checkpoint);
    }
  }

  /** Records the query's definition in a new checkpoint, or refuses a changed one. */
  private static void checkDefinition(FileSystem fs, Path root, Query query, boolean started)
      throws IOException {
    Path file = new Path(root, DEFINITION_FILE);
    Map<String, String> now = new TreeMap<>(query.definition());
    if (fs.exists(file)) {
      Properties recorded = new Properties();
      try (InputStream in = fs.open(file)) {
        recorded.load(in);
      }
      TreeSet<String> keys = new TreeSet<>(now.keySet());
      recorded.stringPropertyNames().forEach(keys::add);
      StringBuilder changes = new StringBuilder();
      for (String key : keys) {
        String was = recorded.getProperty(key);
        String is = now.get(key);
        if (!java.util.Objects.equals(was, is)) {
          changes
              .append("\n    ")
              .append(key)
              .append(": was ")
              .append(was)
              .append(", now ")
              .append(is);
        }
      }
      if (changes.length() > 0) {
        throw new MedallionException(
            "the definition of "
                + query.name()
                + " changed since its checkpoint "
                + query.checkpoint()
                + " was made:"
                + changes
                + "\n  Going on from that checkpoint would mix rows made by the old and the new"
                + " definition, or skip or repeat data.",
            "To keep the old definition, undo the change in the pipeline spec. To apply the new"
                + " one, rebuild the table from its source as docs/reliability.md describes"
                + " (silver: ./lakehouse refine --full-refresh --table <name>; gold: delete the gold"
                + " table and its checkpoint, then rerun).");
      }
      return;
    }
    Properties p = new Properties();
    p.putAll(now);
    try (OutputStream out = fs.create(file, true)) {
      p.store(out, "The definition of " + query.name() + " this checkpoint belongs to");
    }
  }

  /** Whether the table holds a commit of this query's writer (under any checkpoint). */
  private static boolean writtenBefore(SparkSession spark, Query query) {
    DeltaLog log = DeltaLog.forTable(spark, query.table());
    if (!log.tableExists()) {
      return false;
    }
    return CollectionConverters.asJava(
            log.update(false, Option.empty(), Option.empty()).transactions())
        .keySet()
        .stream()
        .anyMatch(appId -> DeltaWrites.writerOf(appId).equals(query.name()));
  }
}
