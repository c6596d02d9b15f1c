package io.medallion.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An emulated AWS (moto's server, {@code python3 -m moto.server}) on 127.0.0.1, for the AWS APIs
 * the jobs call besides S3 (the Glue Data Catalog). Needs Python 3 with {@code moto[server]} 5.x;
 * the build machines have it.
 */
public final class LocalAws {
  /** The region the emulator is addressed in. */
  public static final String REGION = "us-east-1";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final int port;
  private final Process process;

  private LocalAws(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  /** Starts moto's server on a free port, logging to {@code log}. */
  public static LocalAws start(Path log) {
    int port = ChildJvm.freePort();
    try {
      Process process =
          new ProcessBuilder(
                  List.of("python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", "" + port))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!ChildJvm.awaitReady(process.toHandle(), () -> ChildJvm.listening(port), START_TIMEOUT)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "moto's server did not come up on port "
                + port
                + " (python3 with moto[server] 5.x installed?):\n"
                + ChildJvm.tail(log, 30));
      }
      return new LocalAws(port, process);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start moto's server (python3 -m moto.server)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting moto's server", e);
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /**
   * The environment that points an AWS SDK (and the AWS CLI) at the emulator, with test credentials
   * that are not real ones.
   */
  public Map<String, String> environment() {
    return Map.of(
        "AWS_ENDPOINT_URL", endpoint(),
        "AWS_REGION", REGION,
        "AWS_ACCESS_KEY_ID", "testing",
        "AWS_SECRET_ACCESS_KEY", "testing",
        "AWS_CONFIG_FILE", "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
  }

  /** Stops the server; what it held is gone. */
  public void stop() {
    ChildJvm.stop(process.toHandle(), Duration.ofSeconds(10));
  }
}
