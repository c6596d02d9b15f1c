package io.medallion.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * An S3-compatible server (S3Proxy, in memory) on 127.0.0.1, in its own JVM, so that {@code s3a://}
 * lakes can be exercised locally.
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
   * Starts S3Proxy from its self-contained jar.
   *
   * @param s3proxyJar the {@code s3proxy-*-jar-with-dependencies.jar}
   * @param dir where its configuration and log go
   * @param buckets buckets to create
   */
  public static LocalS3 start(Path s3proxyJar, Path dir, String... buckets) {
    LocalS3 server = new LocalS3(dir.toAbsolutePath(), s3proxyJar, ChildJvm.freePort());
    server.start();
    for (String bucket : buckets) {
      server.createBucket(bucket);
    }
    return server;
  }

  /** Starts the server (again, after {@link #stop()}, on the same port; in-memory data is gone). */
  public void start() {
    try {
      Path config = dir.resolve("s3proxy.properties");
      Properties p = new Properties();
      p.setProperty("s3proxy.endpoint", endpoint());
      // A local fake: requests are accepted unsigned, so buckets can be made with a plain PUT.
      p.setProperty("s3proxy.authorization", "none");
      p.setProperty("s3proxy.identity", ACCESS_KEY);
      p.setProperty("s3proxy.credential", SECRET_KEY);
      // In memory: the file-system backends turn S3A's folder markers into real folders, which
      // then vanish from listings and break Spark's checkpoint folders.
      p.setProperty("jclouds.provider", "transient");
      p.setProperty("jclouds.identity", ACCESS_KEY);
      p.setProperty("jclouds.credential", SECRET_KEY);
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

  /** Creates a bucket. */
  public void createBucket(String bucket) {
    HttpRequest put =
        HttpRequest.newBuilder(URI.create(endpoint() + "/" + bucket))
            .PUT(HttpRequest.BodyPublishers.noBody())
            .build();
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient().send(put, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "S3Proxy refused bucket "
                + bucket
                + ": "
                + response.statusCode()
                + " "
                + response.body());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create bucket " + bucket, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
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
        "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        "fs.s3a.access.key", ACCESS_KEY,
        "fs.s3a.secret.key", SECRET_KEY,
        "fs.s3a.change.detection.mode", "none");
  }

  /** Stops the server. */
  public void stop() {
    if (process != null) {
      ChildJvm.stop(process, Duration.ofSeconds(10));
      process = null;
    }
  }
}
