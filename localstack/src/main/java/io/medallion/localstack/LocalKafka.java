package io.medallion.localstack;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Apache Kafka broker (KRaft mode) on 127.0.0.1, running in its own JVM with all
 * its data in one directory.
 *
 * <p>The broker can be stopped, killed ({@code kill -9}) and started again on the same directory
 * and ports: clients see an outage, never a different cluster. The classes of {@code kafka_2.13}
 * must be on this JVM's class path; the child JVM reuses it.
 */
public final class LocalKafka {
  /** Remembers the ports, the pid and the cluster id between starts. */
  static final String STATE_FILE = "medallion-broker.properties";

  private static final String MAIN_CLASS = "kafka.Kafka";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path dir;
  private final int port;
  private final long pid;

  private LocalKafka(Path dir, int port, long pid) {
    this.dir = dir;
    this.port = port;
    this.pid = pid;
  }

  /**
   * Starts a broker on {@code dir}, formatting the directory on first use, and waits until it
   * answers.
   *
   * @param dir the broker's data directory; created if missing
   * @param port the client port; 0 reuses the one from an earlier start or picks a free one
   * @param detached whether the broker should outlive this JVM (the CLI's {@code kafka start})
   * @throws IllegalStateException if a broker already runs on {@code dir}, or it does not start
   */
  public static LocalKafka start(Path dir, int port, boolean detached) {
    Path home = dir.toAbsolutePath().normalize();
    Optional<LocalKafka> running = running(home);
    if (running.isPresent()) {
      throw new IllegalStateException(
          "a Kafka broker already runs on "
              + home
              + " at "
              + running.get().bootstrapServers()
              + " (pid "
              + running.get().pid()
              + ")");
    }
    try {
      Files.createDirectories(home);
      Properties state = readState(home);
      int clientPort =
          port > 0
              ? port
              : Integer.parseInt(state.getProperty("port", String.valueOf(ChildJvm.freePort())));
      int controllerPort =
          Integer.parseInt(
              state.getProperty("controller.port", String.valueOf(ChildJvm.freePort())));
      if (ChildJvm.listening(clientPort)) {
        throw new IllegalStateException(
            "port "
                + clientPort
                + " on 127.0.0.1 is taken by another process; choose another with --port");
      }
      String clusterId = state.getProperty("cluster.id", Uuid.randomUuid().toString());
      Path config = home.resolve("server.properties");
      writeServerConfig(config, home.resolve("logs"), clientPort, controllerPort);
      Path log4j = writeLogConfig(home);
      String classPath = System.getProperty("java.class.path");
      Path log = home.resolve("broker.log");

      if (!Files.exists(home.resolve("logs").resolve("meta.properties"))) {
        int exit =
            ChildJvm.run(
                List.of(
                    "-Xmx256m",
                    "-cp",
                    classPath,
                    "-Dlog4j2.configurationFile=" + log4j.toUri(),
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    clusterId,
                    "-c",
                    config.toString(),
                    "--ignore-formatted"),
                log,
                Duration.ofMinutes(2));
        if (exit != 0) {
          throw new IllegalStateException(
              "formatting the Kafka log directory failed:\n" + ChildJvm.tail(log, 20));
        }
      }

      List<String> args = new ArrayList<>();
      // First, so that it is in the part of the command line the OS reports back to find().
      args.add(marker(home));
      args.add("-Xms256m");
      args.add("-Xmx1g");
      args.add("-XX:+UseG1GC");
      args.add("-Dlog4j2.configurationFile=" + log4j.toUri());
      args.add("-cp");
      args.add(classPath);
      args.add(MAIN_CLASS);
      args.add(config.toString());
      Process process = ChildJvm.launch(args, log, detached);

      Properties newState = new Properties();
      newState.setProperty("port", String.valueOf(clientPort));
      newState.setProperty("controller.port", String.valueOf(controllerPort));
      newState.setProperty("cluster.id", clusterId);
      newState.setProperty("pid", String.valueOf(process.pid()));
      writeState(home, newState);

      LocalKafka broker = new LocalKafka(home, clientPort, process.pid());
      boolean ready = ChildJvm.awaitReady(process.toHandle(), broker::answers, START_TIMEOUT);
      if (!ready) {
        ChildJvm.kill(process.toHandle());
        throw new IllegalStateException(
            "the Kafka broker did not come up in "
                + START_TIMEOUT.toSeconds()
                + " s; the end of "
                + log
                + ":\n"
                + ChildJvm.tail(log, 30));
      }
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a Kafka broker in " + home, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the Kafka broker", e);
    }
  }

  /** The broker that runs on {@code dir}, if one does. */
  public static Optional<LocalKafka> running(Path dir) {
    Path home = dir.toAbsolutePath().normalize();
    Properties state = readState(home);
    if (!state.containsKey("pid") || !state.containsKey("port")) {
      return Optional.empty();
    }
    long pid = Long.parseLong(state.getProperty("pid"));
    int port = Integer.parseInt(state.getProperty("port"));
    return ChildJvm.find(pid, marker(home)).map(p -> new LocalKafka(home, port, pid));
  }

  /** Names the broker's directory on its command line, so a recycled pid is not mistaken for it. */
  private static String marker(Path home) {
    return "-Dmedallion.kafka.dir=" + home;
  }

  /** {@code 127.0.0.1:<port>}, for Kafka clients. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The broker's client port. */
  public int port() {
    return port;
  }

  /** The broker process's id. */
  public long pid() {
    return pid;
  }

  /** The broker's data directory. */
  public Path dir() {
    return dir;
  }

  /** Whether the broker process is alive. */
  public boolean isAlive() {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Whether the broker answers a metadata request right now. */
  public boolean answers() {
    if (!ChildJvm.listening(port)) {
      return false;
    }
    try (Admin admin = admin(bootstrapServers(), Duration.ofSeconds(5))) {
      return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
    } catch (Exception e) {
      return false;
    }
  }

  /** Shuts the broker down cleanly (SIGTERM), killing it if it takes longer than 30 s. */
  public void stop() {
    ProcessHandle.of(pid).ifPresent(p -> ChildJvm.stop(p, Duration.ofSeconds(30)));
  }

  /** Kills the broker at once ({@code kill -9}), as a crash would. */
  public void kill() {
    ProcessHandle.of(pid).ifPresent(ChildJvm::kill);
  }

  /** An admin client for {@code bootstrapServers} that gives up after {@code timeout}. */
  public static Admin admin(String bootstrapServers, Duration timeout) {
    int millis = (int) timeout.toMillis();
    return Admin.create(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis,
            AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000));
  }

  private static void writeServerConfig(Path file, Path logDir, int port, int controllerPort)
      throws IOException {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.setProperty(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", logDir.toString());
    // One broker: every internal topic must have a single replica, or consumer groups hang.
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "4");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("default.replication.factor", "1");
    p.setProperty("min.insync.replicas", "1");
    p.setProperty("num.partitions", "1");
    // Topics come from the pipeline spec, as on MSK: a typo must not create a topic.
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("log.retention.hours", "168");
    p.setProperty("message.max.bytes", String.valueOf(8 * 1024 * 1024));
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(w, "Written by Medallion's LocalKafka; rewritten at every start");
    }
  }

  private static Path writeLogConfig(Path home) throws IOException {
    Path file = home.resolve("log4j2.xml");
    String xml =
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Configuration status="WARN">
          <Appenders>
            <Console name="out" target="SYSTEM_OUT">
              <PatternLayout pattern="%d{ISO8601} %-5p [%c{1}] %m%n"/>
            </Console>
          </Appenders>
          <Loggers>
            <Logger name="kafka" level="WARN"/>
            <Logger name="org.apache.kafka" level="WARN"/>
            <Logger name="kafka.server.KafkaRaftServer" level="INFO"/>
            <Root level="WARN">
              <AppenderRef ref="out"/>
            </Root>
          </Loggers>
        </Configuration>
        """;
    Files.writeString(file, xml, StandardCharsets.UTF_8);
    return file;
  }

  private static Properties readState(Path home) {
    Properties p = new Properties();
    Path file = home.resolve(STATE_FILE);
    if (Files.exists(file)) {
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    return p;
  }

  private static void writeState(Path home, Properties state) throws IOException {
    try (Writer w = Files.newBufferedWriter(home.resolve(STATE_FILE), StandardCharsets.UTF_8)) {
      state.store(w, "The local broker Medallion started");
    }
  }
}
