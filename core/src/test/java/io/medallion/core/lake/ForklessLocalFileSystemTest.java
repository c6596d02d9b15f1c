package io.medallion.core.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local file system without processes behaves as Hadoop's where the lake uses it. */
class ForklessLocalFileSystemTest {
  @TempDir java.nio.file.Path dir;

  private static Configuration conf() {
    Configuration conf = new Configuration();
    ForklessLocalFileSystem.SETTINGS.forEach(
        (key, value) -> conf.set(key.substring("spark.hadoop.".length()), value));
    return conf;
  }

  private Path path(String name) {
    return new Path(dir.resolve(name).toUri());
  }

  @Test
  void theSettingsInstallItForBothHadoopApis() throws Exception {
    Configuration conf = conf();
    conf.setBoolean("fs.file.impl.disable.cache", true);
    assertThat(FileSystem.get(dir.toUri(), conf)).isInstanceOf(ForklessLocalFileSystem.class);
    assertThat(FileContext.getFileContext(dir.toUri(), conf).getDefaultFileSystem())
        .isInstanceOf(ForklessLocalFileSystem.Fs.class);
  }

  @Test
  void fileContextCreatesAndRenamesAtomicallyWithoutReplacing() throws Exception {
    FileContext files = FileContext.getFileContext(dir.toUri(), conf());
    try (FSDataOutputStream out =
        files.create(path("commit.json.tmp"), EnumSet.of(CreateFlag.CREATE))) {
      out.writeBytes("{}");
    }
    files.rename(path("commit.json.tmp"), path("commit.json"), Options.Rename.NONE);
    assertThat(Files.readString(dir.resolve("commit.json"))).isEqualTo("{}");

    try (FSDataOutputStream out = files.create(path("again.tmp"), EnumSet.of(CreateFlag.CREATE))) {
      out.writeBytes("[]");
    }
    assertThatThrownBy(
            () -> files.rename(path("again.tmp"), path("commit.json"), Options.Rename.NONE))
        .isInstanceOf(FileAlreadyExistsException.class);
    assertThat(Files.readString(dir.resolve("commit.json"))).isEqualTo("{}");
  }

  @Test
  void linkStatusIsHadoopsForFilesDirectoriesLinksAndMissingPaths() throws Exception {
    FileSystem forkless = new ForklessLocalFileSystem().getRaw();
    forkless.initialize(dir.toUri(), conf());
    FileSystem hadoops = new RawLocalFileSystem();
    hadoops.initialize(dir.toUri(), new Configuration());
    Files.writeString(dir.resolve("file"), "x");
    Files.createDirectory(dir.resolve("directory"));
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("file"));

    for (String name : new String[] {"file", "directory", "link"}) {
      FileStatus ours = forkless.getFileLinkStatus(path(name));
      FileStatus theirs = hadoops.getFileLinkStatus(path(name));
      assertThat(ours.isFile()).as(name).isEqualTo(theirs.isFile());
      assertThat(ours.isDirectory()).as(name).isEqualTo(theirs.isDirectory());
      assertThat(ours.isSymlink()).as(name).isEqualTo(theirs.isSymlink());
      assertThat(ours.getLen()).as(name).isEqualTo(theirs.getLen());
      assertThat(ours.getPath()).as(name).isEqualTo(theirs.getPath());
    }
    assertThat(forkless.getFileLinkStatus(path("file")).isFile()).isTrue();
    assertThatThrownBy(() -> forkless.getFileLinkStatus(path("missing")))
        .isInstanceOf(FileNotFoundException.class);
  }

  @Test
  void createdFilesAndDirectoriesGetTheModeAsked() throws Exception {
    FileSystem fs = new ForklessLocalFileSystem().getRaw();
    fs.initialize(dir.toUri(), conf());
    fs.create(
            path("data.parquet"),
            new FsPermission((short) 0640),
            false,
            4096,
            (short) 1,
            1 << 20,
            null)
        .close();
    fs.mkdirs(path("part=1"), new FsPermission((short) 0750));
    fs.setPermission(path("data.parquet"), new FsPermission((short) 0604));

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("part=1"))))
        .isEqualTo("rwxr-x---");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("data.parquet"))))
        .isEqualTo("rw----r--");
  }
}
