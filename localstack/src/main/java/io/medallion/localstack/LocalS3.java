package io.medallion.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * An S3-compatible server (S3Proxy with its file-system backend) on 127.0.0.1, in its own JVM, so
 * that {@code s3a://} lakes can be exercised locally and the endpoint can be stopped and restarted.
 */
public final class LocalS3 {
  /** The access key the server accepts; a local test credential, never a real one. */
  public static final String ACCESS_KEY = "local-access-key";

  /** The secret key the server accepts; a local test credential, never a real one. */
  public static final String SECRET_KEY = "local-secret-key";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final Path dir;
  private final Path jar;
  private final int port;
  private ProcessHandle process;

  private LocalS3(Path dir, Path jar, int port) {
    this.dir = dir;
    this.jar = jar;
    this.port = port;
  }

  /**
   * Starts S3Proxy from its self-contained jar, serving buckets from sub-folders of {@code dir}.
   *
   * @param s3proxyJar the {@code s3proxy-*-jar-with-dependencies.jar}
   * @param dir the data directory; each bucket is a folder in it
   * @param buckets buckets to create
   */
  public static LocalS3 start(Path s3proxyJar, Path dir, String... buckets) {
    LocalS3 server = new LocalS3(dir.toAbsolutePath(), s3proxyJar, ChildJvm.freePort());
    try {
      for (String bucket : buckets) {
        Files.createDirectories(server.dir.resolve("data").resolve(bucket));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.start();
    return server;
  }

  /** Starts the server again on the same port and data, after {@link #stop()}. */
  public void start() {
    try {
      Path config = dir.resolve("s3proxy.properties");
      Properties p = new Properties();
      p.setProperty("s3proxy.endpoint", endpoint());
      p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
      p.setProperty("s3proxy.identity", ACCESS_KEY);
      p.setProperty("s3proxy.credential", SECRET_KEY);
      p.setProperty("jclouds.provider", "filesystem");
      p.setProperty("jclouds.filesystem.basedir", dir.resolve("data").toString());
      try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
        p.store(w, "S3Proxy started by Medallion's LocalS3");
      }
      Path log = dir.resolve("s3proxy.log");
      Process started =
          ChildJvm.launch(
              List.of("-Xmx512m", "-jar", jar.toString(), "--properties", config.toString()),
              log,
              false);
      process = started.toHandle();
      if (!ChildJvm.awaitReady(process, () -> ChildJvm.listening(port), START_TIMEOUT)) {
        ChildJvm.kill(process);
        throw new IllegalStateException(
            "S3Proxy did not come up on port " + port + ":\n" + ChildJvm.tail(log, 30));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start S3Proxy", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting S3Proxy", e);
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** The Hadoop settings that point {@code s3a://} at this server. */
  public Map<String, String> hadoopConf() {
    return Map.of(
        "fs.s3a.endpoint", endpoint(),
        "fs.s3a.endpoint.region", "us-east-1",
        "fs.s3a.path.style.access", "true",
        "fs.s3a.connection.ssl.enabled", "false",
        "fs.s3a.aws.credentials.provider",
            "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        "fs.s3a.access.key", ACCESS_KEY,
        "fs.s3a.secret.key", SECRET_KEY,
        "fs.s3a.change.detection.mode", "none");
  }

  /** Stops the server; its data stays. */
  public void stop() {
    if (process != null) {
      ChildJvm.stop(process, Duration.ofSeconds(10));
      process = null;
    }
  }
}
