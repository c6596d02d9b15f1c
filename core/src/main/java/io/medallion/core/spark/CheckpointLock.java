package io.medallion.core.spark;

import io.medallion.core.error.Errors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One process per local checkpoint: an OS file lock on {@value CheckpointGuard#LOCK_FILE}, which
 * the OS releases when the process ends, even after {@code kill -9}. The file holds the holder's
 * pid, named in the error a second process gets.
 *
 * <p>Locks are held per process, so this JVM's locks are kept in one place: a query restarted in
 * the same JVM finds its checkpoint's lock already held by it.
 */
final class CheckpointLock {
  /** Locks this JVM holds, by checkpoint location, until {@link #release} or the JVM exits. */
  private static final Map<String, FileChannel> HELD = new HashMap<>();

  private CheckpointLock() {}

  /** Takes the lock of a local checkpoint, or returns if this JVM holds it already. */
  static void acquire(FileSystem fs, Path root, CheckpointGuard.Query query) throws IOException {
    java.nio.file.Path file =
        Paths.get(fs.makeQualified(root).toUri()).resolve(CheckpointGuard.LOCK_FILE);
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
        throw Errors.checkpointLocked(pid.trim(), query.name(), root.toString());
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

  /** Releases this JVM's lock on {@code checkpoint}, if it holds one. */
  static void release(String checkpoint) {
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
  }
}
