package io.medallion.core.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.core.error.ErrorCode;
import io.medallion.core.error.MedallionException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint guard's parts, each on a temporary directory through Hadoop's local files. */
class CheckpointPartsTest {
  @TempDir java.nio.file.Path dir;

  private final FileSystem fs = local();

  private static FileSystem local() {
    try {
      return FileSystem.getLocal(new Configuration());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private CheckpointGuard.Query query(Map<String, String> definition) {
    return new CheckpointGuard.Query(
        "bronze.plays", dir.toString(), dir.resolve("table").toString(), definition, "");
  }

  private Path root() {
    return new Path(dir.toUri());
  }

  @Test
  void theLockRecordsThisProcessAndIsFreeAgainAfterRelease() throws Exception {
    CheckpointLock.acquire(fs, root(), query(Map.of()));
    // Taken again by the same JVM (a restarted query): no error.
    CheckpointLock.acquire(fs, root(), query(Map.of()));
    java.nio.file.Path file = dir.resolve(CheckpointGuard.LOCK_FILE);
    assertThat(Files.readString(file, StandardCharsets.UTF_8))
        .isEqualTo(String.valueOf(ProcessHandle.current().pid()));

    CheckpointLock.release(dir.toString());
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock()) {
      assertThat(lock).as("the OS lock is free after release").isNotNull();
    }
  }

  @Test
  void aLeaseAnotherLiveJobRenewedRefusesThisJobAndAnExpiredOneIsTakenOver() throws Exception {
    Path lease = new Path(root(), CheckpointGuard.LEASE_FILE);
    writeLease(lease, "other-host:1:x", System.currentTimeMillis() - 5_000);
    assertThatThrownBy(() -> CheckpointLease.acquire(fs, root(), query(Map.of())))
        .isInstanceOfSatisfying(
            MedallionException.class,
            e -> assertThat(e.code()).contains(ErrorCode.CHECKPOINT_LEASED))
        .hasMessageStartingWith("another job (other-host:1:x, lease renewed 5 s ago) is running");

    writeLease(lease, "other-host:1:x", System.currentTimeMillis() - 61_000);
    CheckpointLease.acquire(fs, root(), query(Map.of()));
    Properties now = new Properties();
    try (var in = fs.open(lease)) {
      now.load(in);
    }
    assertThat(now.getProperty("owner"))
        .startsWith(java.net.InetAddress.getLocalHost().getHostName());
    assertThat(renewers()).isEqualTo(1);

    CheckpointLease.release(dir.toString());
    assertThat(fs.exists(lease)).as("the lease file is deleted on release").isFalse();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> renewers() == 0);
  }

  @Test
  void releasingLeavesALeaseAnotherJobTookOverInPlace() throws Exception {
    Path lease = new Path(root(), CheckpointGuard.LEASE_FILE);
    CheckpointLease.acquire(fs, root(), query(Map.of()));
    // Another job took the lease over (this one stalled past the timeout).
    writeLease(lease, "other-host:2:y", System.currentTimeMillis());

    CheckpointLease.release(dir.toString());

    Properties held = new Properties();
    try (var in = fs.open(lease)) {
      held.load(in);
    }
    assertThat(held.getProperty("owner")).isEqualTo("other-host:2:y");
  }

  private static long renewers() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("medallion-checkpoint-lease") && t.isAlive())
        .count();
  }

  private void writeLease(Path file, String owner, long renewed) throws Exception {
    Properties p = new Properties();
    p.setProperty("owner", owner);
    p.setProperty("renewed", String.valueOf(renewed));
    try (var out = fs.create(file, true)) {
      p.store(out, null);
    }
  }

  @Test
  void anEmptyOrCutFileIsNamedWithWhatIsWrongWithIt() throws Exception {
    assertThat(CheckpointFiles.hasFiles(fs, new Path(root(), "offsets"))).isFalse();
    Files.createDirectories(dir.resolve("offsets"));
    Files.writeString(dir.resolve("metadata"), "{\"id\":\"q\"}\n");
    Files.writeString(dir.resolve("offsets").resolve("0"), "v1\n{\"a\":1}\n");
    assertThat(CheckpointFiles.hasFiles(fs, new Path(root(), "offsets"))).isTrue();
    CheckpointFiles.checkFiles(fs, root(), query(Map.of()));

    Files.writeString(dir.resolve("offsets").resolve("1"), "v1\n");
    assertThatThrownBy(() -> CheckpointFiles.checkFiles(fs, root(), query(Map.of())))
        .hasMessageContaining("offsets/1 of bronze.plays is cut short.");

    Files.writeString(dir.resolve("offsets").resolve("1"), "v1\n{\"a\":\n");
    assertThatThrownBy(() -> CheckpointFiles.checkFiles(fs, root(), query(Map.of())))
        .hasMessageContaining("offsets/1 of bronze.plays is cut short or corrupt (line 2).");

    Files.writeString(dir.resolve("metadata"), "");
    assertThatThrownBy(() -> CheckpointFiles.checkFiles(fs, root(), query(Map.of())))
        .isInstanceOfSatisfying(
            MedallionException.class,
            e -> assertThat(e.code()).contains(ErrorCode.CHECKPOINT_DAMAGED))
        .hasMessageContaining("metadata of bronze.plays is empty.");
  }

  @Test
  void theDefinitionIsRecordedOnceAndAChangeIsNamed() throws Exception {
    CheckpointDefinition.check(fs, root(), query(Map.of("topic", "plays")));
    Properties recorded = new Properties();
    try (var in = Files.newInputStream(dir.resolve(CheckpointGuard.DEFINITION_FILE))) {
      recorded.load(in);
    }
    assertThat(recorded).containsExactlyEntriesOf(Map.of("topic", "plays"));
    CheckpointDefinition.check(fs, root(), query(Map.of("topic", "plays")));

    assertThatThrownBy(
            () -> CheckpointDefinition.check(fs, root(), query(Map.of("topic", "plays-v2"))))
        .isInstanceOfSatisfying(
            MedallionException.class, e -> assertThat(e.code()).contains(ErrorCode.QUERY_CHANGED))
        .hasMessageContaining("the definition of bronze.plays changed since its checkpoint")
        .hasMessageContaining("\n    topic: was plays, now plays-v2\n");
  }
}
