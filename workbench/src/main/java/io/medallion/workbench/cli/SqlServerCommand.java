package io.medallion.workbench.cli;

import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.LakeCatalog;
import io.medallion.core.spark.SparkSessions;
import io.medallion.jobs.cli.CommonOptions;
import io.medallion.jobs.cli.OptionException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lakehouse sql-server}: a Spark Connect endpoint on 127.0.0.1 over the lake's catalog. */
@Command(
    name = "sql-server",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the lake's tables over Spark Connect on 127.0.0.1, for SQL clients that speak it"
          + " (pyspark --remote, the Spark Connect JVM client, Spark Connect ODBC/JDBC bridges).",
      "Runs until Ctrl-C."
    })
public final class SqlServerCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "15002",
      description = "The port to listen on (default: ${DEFAULT-VALUE}, Spark Connect's own).")
  int port;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    if (port < 1 || port > 65535) {
      throw new OptionException("--port " + port + " is not a port.", "Use 1 to 65535.");
    }
    try (ServerSocket probe =
        new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      probe.setReuseAddress(true);
    } catch (IOException e) {
      throw new MedallionException(
          "Port " + port + " on 127.0.0.1 is in use.", "Stop what uses it, or pass --port.");
    }
    Map<String, String> conf = new LinkedHashMap<>(common.sparkConf());
    conf.putIfAbsent("spark.plugins", "org.apache.spark.sql.connect.SparkConnectPlugin");
    conf.putIfAbsent("spark.connect.grpc.binding.address", "127.0.0.1");
    conf.put("spark.connect.grpc.binding.port", String.valueOf(port));
    // Spark's default, which SparkSessions turns off for pipelines: each Spark Connect client's
    // artifacts (jars, classes of its functions) stay in its own session.
    conf.putIfAbsent(SparkSessions.ARTIFACT_ISOLATION, "true");
    SparkSession spark = SparkSessions.getOrCreate("medallion-sql-server", conf);
    List<String> tables = LakeCatalog.register(spark, common.pipeline(), common.lake());
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "Spark Connect is serving %d tables of %s at sc://127.0.0.1:%d%n",
        tables.size(), common.lake(), port);
    out.printf(
        "  pyspark --remote sc://127.0.0.1:%d    then spark.sql(\"SELECT * FROM gold.trending_now\")%n",
        port);
    out.println("Ctrl-C stops it.");
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
    stopped.await();
    return 0;
  }
}
