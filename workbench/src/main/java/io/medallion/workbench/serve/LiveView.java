package io.medallion.workbench.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.delta.tables.DeltaTable;
import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.lake.TableRef;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.BronzeTable;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.jobs.status.PipelineStatus;
import io.medallion.jobs.status.PipelineStatus.Report;
import io.medallion.jobs.status.PipelineStatus.TableStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code lakehouse serve}: a small web page on 127.0.0.1 that shows the pipeline as a graph, each
 * table's freshness, rows and quality, and charts of the gold tables, refreshing while the pipeline
 * runs; with a JSON API over the same data and a Prometheus endpoint.
 *
 * <p>The numbers are read from the lake every 5 seconds, in the background; the page and the API
 * show the latest reading. The API, all GET, all JSON unless said otherwise:
 *
 * <ul>
 *   <li>{@code /api/pipeline}: {@code name}, {@code nodes} ({@code id}, {@code layer}; gold nodes
 *       their {@code description} too) and {@code edges} ({@code from}, {@code to}): topics to
 *       bronze to silver to gold;
 *   <li>{@code /api/tables}: per table {@code table}, {@code layer}, {@code rows}, {@code updated},
 *       {@code last_batch_id}, {@code last_batch_at}, {@code rows_in}, {@code rows_out}, {@code
 *       lag} (bronze), {@code quarantined} (silver);
 *   <li>{@code /api/failures}: the failures of the last 24 hours ({@code at}, {@code job}, {@code
 *       message});
 *   <li>{@code /api/gold/<table>}: up to 1,000 rows of a gold table, as objects;
 *   <li>{@code /metrics}: the same numbers in Prometheus' text format.
 * </ul>
 */
public final class LiveView implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LiveView.class);

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(
              new SimpleModule()
                  .addSerializer(Instant.class, ToStringSerializer.instance)
                  .addSerializer(java.sql.Timestamp.class, ToStringSerializer.instance)
                  .addSerializer(java.sql.Date.class, ToStringSerializer.instance));

  /** How often the numbers behind the page and the API are read again (the page's own refresh). */
  static final Duration REFRESH = Duration.ofSeconds(5);

  private final HttpServer server;
  private final ScheduledExecutorService refresher =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "medallion-live-view-refresh");
            t.setDaemon(true);
            return t;
          });
  private final SparkSession spark;
  private final Pipeline pipeline;
  private final LakeLayout lake;
  private final Supplier<String> bootstrapServers;
  private final Map<String, String> kafkaConf;

  /**
   * What the page and the API show, read from the lake once per {@link #REFRESH}: requests never
   * run Spark jobs, so any number of open pages costs the same as one.
   */
  private volatile Snapshot latest;

  private record Snapshot(
      Report report,
      List<Map<String, Object>> tables,
      Map<String, List<Map<String, Object>>> gold) {}

  private LiveView(
      HttpServer server,
      SparkSession spark,
      Pipeline pipeline,
      LakeLayout lake,
      Supplier<String> bootstrapServers,
      Map<String, String> kafkaConf) {
    this.server = server;
    this.spark = spark;
    this.pipeline = pipeline;
    this.lake = lake;
    this.bootstrapServers = bootstrapServers;
    this.kafkaConf = kafkaConf;
  }

  /**
   * Starts serving on {@code 127.0.0.1:port} (0: a free port).
   *
   * @param bootstrapServers Kafka for bronze's lag; may return null (lag unknown)
   */
  public static LiveView start(
      SparkSession spark,
      Pipeline pipeline,
      LakeLayout lake,
      int port,
      Supplier<String> bootstrapServers,
      Map<String, String> kafkaConf) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    } catch (IOException e) {
      throw new MedallionException(
          "cannot listen on 127.0.0.1:" + port + ": " + e.getMessage() + ".",
          "Choose another port with --port (0 picks a free one).",
          e);
    }
    LiveView view = new LiveView(server, spark, pipeline, lake, bootstrapServers, kafkaConf);
    view.latest = view.read();
    view.refresher.scheduleWithFixedDelay(
        view::refresh, REFRESH.toMillis(), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
    server.createContext("/", view::page);
    server.createContext("/api/pipeline", e -> view.json(e, view::graph));
    server.createContext("/api/tables", e -> view.json(e, () -> view.latest.tables()));
    server.createContext("/api/failures", e -> view.json(e, () -> view.latest.report().failures()));
    server.createContext("/api/gold/", e -> view.json(e, () -> view.gold(e)));
    server.createContext("/metrics", view::metrics);
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.start();
    return view;
  }

  private void refresh() {
    try {
      latest = read();
    } catch (RuntimeException e) {
      // The last snapshot stays on show; the next refresh tries again.
      LOG.warn("live view: cannot read the lake: {}", e.getMessage());
    }
  }

  private Snapshot read() {
    Map<String, List<Map<String, Object>>> gold = new LinkedHashMap<>();
    for (GoldTable t : pipeline.goldTables()) {
      gold.put(t.name(), goldRows(t));
    }
    Report report = report();
    return new Snapshot(report, tables(report), gold);
  }

  /** {@code http://127.0.0.1:<port>/}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  @Override
  public void close() {
    server.stop(0);
    refresher.shutdownNow();
  }

  private void page(HttpExchange e) throws IOException {
    if (!e.getRequestURI().getPath().equals("/")) {
      send(e, 404, "text/plain", "not found: " + e.getRequestURI().getPath());
      return;
    }
    try (InputStream in = LiveView.class.getResourceAsStream("index.html")) {
      send(
          e,
          200,
          "text/html; charset=utf-8",
          new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private void json(HttpExchange e, Supplier<Object> body) throws IOException {
    try {
      send(
          e,
          200,
          "application/json",
          JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body.get()));
    } catch (NotFound nf) {
      send(e, 404, "application/json", JSON.writeValueAsString(Map.of("error", nf.getMessage())));
    } catch (RuntimeException failure) {
      send(
          e,
          500,
          "application/json",
          JSON.writeValueAsString(Map.of("error", String.valueOf(failure.getMessage()))));
    }
  }

  private static void send(HttpExchange e, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    e.getResponseHeaders().set("Content-Type", type);
    e.getResponseHeaders().set("Cache-Control", "no-store");
    e.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = e.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }

  private Report report() {
    String servers;
    try {
      servers = bootstrapServers.get();
    } catch (RuntimeException noBroker) {
      servers = null;
    }
    return PipelineStatus.of(spark, pipeline, lake, servers, kafkaConf);
  }

  /** The pipeline as a graph: topics, then the tables of each layer, and what reads what. */
  Map<String, Object> graph() {
    List<Map<String, String>> nodes = new ArrayList<>();
    List<Map<String, String>> edges = new ArrayList<>();
    for (BronzeTable t : pipeline.bronzeTables()) {
      String topic = "kafka." + t.source().topic();
      nodes.add(Map.of("id", topic, "layer", "kafka"));
      nodes.add(Map.of("id", t.qualifiedName(), "layer", "bronze"));
      edges.add(Map.of("from", topic, "to", t.qualifiedName()));
    }
    for (SilverTable t : pipeline.silverTables()) {
      nodes.add(Map.of("id", t.qualifiedName(), "layer", "silver"));
      edges.add(Map.of("from", t.source().qualifiedName(), "to", t.qualifiedName()));
    }
    for (GoldTable t : pipeline.goldTables()) {
      nodes.add(
          Map.of(
              "id",
              t.qualifiedName(),
              "layer",
              "gold",
              "description",
              t.description() == null ? "" : t.description()));
      for (String source : t.sources()) {
        edges.add(Map.of("from", source, "to", t.qualifiedName()));
      }
    }
    Map<String, Object> graph = new LinkedHashMap<>();
    graph.put("name", pipeline.name());
    graph.put("nodes", nodes);
    graph.put("edges", edges);
    return graph;
  }

  /** Every table with its status, its row count, and for silver its quarantined rows. */
  private List<Map<String, Object>> tables(Report report) {
    Map<String, Long> quarantined = new LinkedHashMap<>();
    String quarantine = lake.table(Layer.SILVER, Pipeline.QUARANTINE_TABLE);
    if (DeltaTable.isDeltaTable(spark, quarantine)) {
      for (Row r :
          spark
              .read()
              .format("delta")
              .load(quarantine)
              .groupBy("source_table")
              .count()
              .collectAsList()) {
        quarantined.put(r.getString(0), r.getLong(1));
      }
    }
    List<Map<String, Object>> tables = new ArrayList<>();
    for (TableStatus t : report.tables()) {
      Map<String, Object> row = new LinkedHashMap<>();
      String layer = TableRef.parse(t.table()).layer().folder();
      row.put("table", t.table());
      row.put("layer", layer);
      row.put("rows", rows(t.table()));
      row.put("updated", t.updated());
      row.put("last_batch_id", t.lastBatchId());
      row.put("last_batch_at", t.lastBatchAt());
      row.put("rows_in", t.rowsIn());
      row.put("rows_out", t.rowsOut());
      row.put("lag", t.lag());
      row.put(
          "quarantined", layer.equals("silver") ? quarantined.getOrDefault(t.table(), 0L) : null);
      tables.add(row);
    }
    return tables;
  }

  private Long rows(String table) {
    String path = lake.location(table);
    return DeltaTable.isDeltaTable(spark, path)
        ? spark.read().format("delta").load(path).count()
        : null;
  }

  private List<Map<String, Object>> gold(HttpExchange e) {
    String name = e.getRequestURI().getPath().substring("/api/gold/".length());
    List<Map<String, Object>> rows = latest.gold().get(name);
    if (rows == null) {
      throw new NotFound("no gold table " + name);
    }
    return rows;
  }

  private List<Map<String, Object>> goldRows(GoldTable table) {
    String path = lake.table(Layer.GOLD, table.name());
    if (!DeltaTable.isDeltaTable(spark, path)) {
      return List.of();
    }
    var frame = spark.read().format("delta").load(path);
    String[] columns = frame.columns();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Row r : frame.limit(1_000).collectAsList()) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (int i = 0; i < columns.length; i++) {
        Object v = r.get(i);
        row.put(columns[i], v instanceof scala.collection.Seq<?> s ? s.mkString(",") : v);
      }
      rows.add(row);
    }
    return rows;
  }

  private void metrics(HttpExchange e) throws IOException {
    StringBuilder out = new StringBuilder();
    Snapshot snapshot = latest;
    Report report = snapshot.report();
    out.append(
        "# HELP medallion_table_rows Rows in the table.\n# TYPE medallion_table_rows gauge\n");
    List<Map<String, Object>> tables = snapshot.tables();
    for (Map<String, Object> t : tables) {
      if (t.get("rows") != null) {
        out.append(metric("medallion_table_rows", "table", t.get("table"), t.get("rows")));
      }
    }
    out.append(
        "# HELP medallion_table_age_seconds Seconds since the table's last commit.\n"
            + "# TYPE medallion_table_age_seconds gauge\n");
    long now = System.currentTimeMillis();
    for (TableStatus t : report.tables()) {
      if (t.updated() != null) {
        out.append(
            metric(
                "medallion_table_age_seconds",
                "table",
                t.table(),
                (now - t.updated().toEpochMilli()) / 1000.0));
      }
    }
    out.append(
        "# HELP medallion_kafka_lag_records Records Kafka holds beyond the bronze table, per topic.\n"
            + "# TYPE medallion_kafka_lag_records gauge\n");
    for (BronzeTable b : pipeline.bronzeTables()) {
      report.tables().stream()
          .filter(t -> t.table().equals(b.qualifiedName()) && t.lag() != null)
          .forEach(
              t ->
                  out.append(
                      "medallion_kafka_lag_records{topic=\""
                          + b.source().topic()
                          + "\",table=\""
                          + t.table()
                          + "\"} "
                          + t.lag()
                          + "\n"));
    }
    out.append(
        "# HELP medallion_last_batch_rows_in Rows the query's last micro-batch read.\n"
            + "# TYPE medallion_last_batch_rows_in gauge\n");
    for (TableStatus t : report.tables()) {
      if (t.rowsIn() != null) {
        out.append(metric("medallion_last_batch_rows_in", "query", t.table(), t.rowsIn()));
      }
    }
    out.append(
        "# HELP medallion_quarantined_rows Rows of the silver table in quarantine.\n"
            + "# TYPE medallion_quarantined_rows gauge\n");
    for (Map<String, Object> t : tables) {
      if (t.get("quarantined") != null) {
        out.append(
            metric("medallion_quarantined_rows", "table", t.get("table"), t.get("quarantined")));
      }
    }
    out.append(
        "# HELP medallion_failures_24h Failures logged in the last 24 hours.\n"
            + "# TYPE medallion_failures_24h gauge\n"
            + "medallion_failures_24h "
            + report.failures().size()
            + "\n");
    send(e, 200, "text/plain; version=0.0.4; charset=utf-8", out.toString());
  }

  private static String metric(String name, String label, Object value, Object number) {
    return name + "{" + label + "=\"" + value + "\"} " + number + "\n";
  }
}
