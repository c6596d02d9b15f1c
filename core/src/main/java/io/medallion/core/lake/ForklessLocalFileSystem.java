package io.medallion.core.lake;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFs;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FsServerDefaults;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.local.LocalConfigKeys;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system without the processes it starts. Without Hadoop's native library,
 * which Spark does not ship, {@link RawLocalFileSystem} runs {@code readlink} to tell a symbolic
 * link from a file before each FileContext create and rename, and {@code chmod} for each file and
 * directory it creates: several processes per Delta commit, checksum, streaming checkpoint file and
 * data file. In a profile of local micro-batches they took a fifth of the query threads' time
 * (docs/performance.md). Java's file API answers both; symbolic links and sticky bits, which the
 * lake does not use, keep Hadoop's way.
 *
 * <p>{@link #SETTINGS} installs it for {@code file:} paths, for the FileSystem API (this class) and
 * for the FileContext API ({@link Fs}).
 */
public class ForklessLocalFileSystem extends LocalFileSystem {
  /** The Spark settings that make {@code file:} paths use this file system. */
  public static final Map<String, String> SETTINGS =
      Map.of(
          "spark.hadoop.fs.file.impl",
          ForklessLocalFileSystem.class.getName(),
          "spark.hadoop.fs.AbstractFileSystem.file.impl",
          Fs.class.getName());

  public ForklessLocalFileSystem() {
    super(new Raw());
  }

  /** The file system under the checksums: Hadoop's, with Java's answers for links and modes. */
  public static class Raw extends RawLocalFileSystem {
    @Override
    public FileStatus getFileLinkStatus(Path f) throws IOException {
      if (Files.isSymbolicLink(pathToFile(f).toPath())) {
        return super.getFileLinkStatus(f);
      }
      // What Hadoop returns for a path that is not a link, without asking readlink.
      return getFileStatus(f);
    }

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      if (permission.getStickyBit()) {
        super.setPermission(p, permission);
        return;
      }
      try {
        Files.setPosixFilePermissions(
            pathToFile(p).toPath(), PosixFilePermissions.fromString(permission.toString()));
      } catch (UnsupportedOperationException notPosix) {
        super.setPermission(p, permission);
      }
    }
  }

  /** The same file system for Hadoop's FileContext API, which Delta and Spark's checkpoints use. */
  public static class Fs extends ChecksumFs {
    public Fs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(new RawFs(uri, conf));
    }
  }

  /** As Hadoop's {@code RawLocalFs}, over {@link Raw}. */
  private static final class RawFs extends DelegateToFileSystem {
    RawFs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new Raw(), conf, uri.getScheme(), false);
    }

    @Override
    public int getUriDefaultPort() {
      return -1;
    }

    @Override
    public FsServerDefaults getServerDefaults(Path f) throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    @Deprecated
    public FsServerDefaults getServerDefaults() throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    public boolean isValidName(String src) {
      return true;
    }
  }
}
