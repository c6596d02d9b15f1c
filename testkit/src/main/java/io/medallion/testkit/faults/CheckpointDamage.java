package io.medallion.testkit.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Damages a local streaming checkpoint the ways a full disk or a bad restore does. */
public final class CheckpointDamage {
  private CheckpointDamage() {}

  /** The newest file of a checkpoint log ({@code offsets} or {@code commits}). */
  public static Path newest(Path checkpoint, String log) {
    try (Stream<Path> files = Files.list(checkpoint.resolve(log))) {
      return files
          .filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString())))
          .orElseThrow(() -> new IllegalStateException("no " + log + " in " + checkpoint));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Cuts a file to its first {@code bytes} bytes. */
  public static void truncate(Path file, int bytes) {
    try {
      byte[] content = Files.readAllBytes(file);
      Files.write(file, java.util.Arrays.copyOf(content, Math.min(bytes, content.length)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes a checkpoint folder and everything in it. */
  public static void remove(Path checkpoint) {
    try (Stream<Path> all = Files.walk(checkpoint)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
