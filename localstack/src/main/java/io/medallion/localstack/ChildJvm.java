package io.medallion.localstack;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Starts and stops helper processes (a Kafka broker, an S3 server) as separate JVMs, so that they
 * can be killed and restarted on the same data while the caller keeps running.
 */
public final class ChildJvm {
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private ChildJvm() {}

  /** The {@code java} binary of the running JVM. */
  public static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * Launches a JVM.
   *
   * @param jvmArgs options and main class or {@code -jar} and its arguments, after {@code java}
   * @param log where the child's stdout and stderr go
   * @param detached start it in its own session, so that it outlives this process and a Ctrl-C
   */
  public static Process launch(List<String> jvmArgs, Path log, boolean detached)
      throws IOException {
    List<String> command = new ArrayList<>();
    if (detached && Files.isExecutable(SETSID)) {
      command.add(SETSID.toString());
    }
    command.add(javaBinary());
    command.addAll(jvmArgs);
    Files.createDirectories(log.toAbsolutePath().getParent());
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
  }

  /** Runs a JVM to completion and returns its exit code. */
  public static int run(List<String> jvmArgs, Path log, Duration timeout)
      throws IOException, InterruptedException {
    Process process = launch(jvmArgs, log, false);
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IOException("'" + String.join(" ", jvmArgs) + "' did not finish in " + timeout);
    }
    return process.exitValue();
  }

  /** Waits until {@code ready} holds, the process dies, or the deadline passes. */
  static boolean awaitReady(ProcessHandle process, BooleanSupplier ready, Duration timeout)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (ready.getAsBoolean()) {
        return true;
      }
      if (!process.isAlive()) {
        return false;
      }
      // Polling a socket: the child gives no other signal that it is ready.
      TimeUnit.MILLISECONDS.sleep(200);
    }
    return false;
  }

  /** Stops a process politely (SIGTERM), then forcibly if it has not exited in {@code grace}. */
  static void stop(ProcessHandle process, Duration grace) {
    process.destroy();
    try {
      process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      kill(process);
    }
  }

  /** Kills a process at once (SIGKILL) and waits until it is gone. */
  static void kill(ProcessHandle process) {
    process.destroyForcibly();
    try {
      process.onExit().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("process " + process.pid() + " did not die", e);
    }
  }

  /** The process with this pid, if it is alive and its command line contains {@code marker}. */
  static Optional<ProcessHandle> find(long pid, String marker) {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> hasMarker(p, marker));
  }

  private static boolean hasMarker(ProcessHandle process, String marker) {
    // /proc has the whole command line; ProcessHandle.Info may report a shortened one.
    Path cmdline = Path.of("/proc", String.valueOf(process.pid()), "cmdline");
    try {
      if (Files.isReadable(cmdline)) {
        return new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).contains(marker);
      }
    } catch (IOException e) {
      // Fall back to what the JDK reports.
    }
    return process.info().commandLine().map(c -> c.contains(marker)).orElse(true);
  }

  /** A TCP port on 127.0.0.1 that nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on 127.0.0.1", e);
    }
  }

  /** Whether something accepts connections on 127.0.0.1:{@code port}. */
  public static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The last lines of a log file, to explain why a child did not come up. */
  static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }
}
