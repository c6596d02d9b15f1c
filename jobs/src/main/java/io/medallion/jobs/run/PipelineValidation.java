package io.medallion.jobs.run;

import io.medallion.bronze.PipelineTopics;
import io.medallion.bronze.PipelineTopics.State;
import io.medallion.bronze.PipelineTopics.Topic;
import io.medallion.core.error.MedallionException;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.lake.Layer;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.BronzeTable;
import io.medallion.core.spec.Pipeline.GoldTable;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.gold.GoldAggregation;
import io.medallion.silver.SilverRefinement;
import io.medallion.silver.TableRefiner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * A dry run of a pipeline: every silver transform, rule and write column and every gold query is
 * analysed against the schemas its sources will have, on empty tables in a scratch lake that is
 * removed afterwards, so nothing is read from or written to the real lake but its tables' columns.
 * Every table is checked, so one run lists every problem, each with the spec's file and line.
 */
public final class PipelineValidation {
  /**
   * What a dry run found.
   *
   * @param graph the pipeline's graph, one line per table that something reads: {@code kafka plays
   *     → bronze.plays}, {@code silver.plays → gold.a, gold.b}
   * @param tables one line per silver and gold table that analysed
   * @param pending what the next job will change in the lake's tables, one line each
   * @param topics one line per source topic, or one line saying why they were not checked
   * @param problems the errors, each as the CLI prints them (location, problem, fix)
   */
  public record Report(
      List<String> graph,
      List<String> tables,
      List<String> pending,
      List<String> topics,
      List<String> problems) {
    public boolean valid() {
      return problems.isEmpty();
    }
  }

  private final SparkSession spark;
  private final Pipeline pipeline;
  private final LakeLayout lake;

  /**
   * @param lake the pipeline's real lake: only its tables' columns are read
   */
  public PipelineValidation(SparkSession spark, Pipeline pipeline, LakeLayout lake) {
    this.spark = spark;
    this.pipeline = pipeline;
    this.lake = lake;
  }

  /**
   * Runs the dry run.
   *
   * @param topics the topics' states when a broker answered; empty with the reason otherwise
   */
  public Report run(Supplier<TopicsCheck> topics) {
    List<String> problems = new ArrayList<>();
    List<String> tables = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    Path scratch = scratchLake();
    try {
      LakeLayout dry = LakeLayout.of(scratch.toString());
      Set<String> failed = new HashSet<>();
      checkSilver(dry, tables, pending, problems, failed);
      checkGold(dry, tables, problems, failed);
      GoldAggregation real = new GoldAggregation(spark, lake, pipeline.tables());
      for (GoldTable g : pipeline.goldTables()) {
        String changes = real.definitionChanges(g);
        if (!changes.isBlank()) {
          pending.add(
              g.qualifiedName()
                  + ": definition changed since its checkpoint ("
                  + String.join("; ", changes.strip().lines().map(String::strip).toList())
                  + "); the next run refuses it until ./lakehouse aggregate --full-refresh --table "
                  + g.qualifiedName());
        }
      }
    } finally {
      delete(scratch);
    }
    return new Report(
        graph(pipeline), tables, pending, topicLines(topics.get(), problems), problems);
  }

  /**
   * The topics of the pipeline on a broker, or why they were not checked.
   *
   * @param topics the states, when a broker answered
   * @param skipped why not, otherwise
   */
  public record TopicsCheck(Optional<List<Topic>> topics, String skipped) {
    /** Asks the broker at {@code bootstrapServers}; one that does not answer skips the check. */
    public static TopicsCheck ask(
        String bootstrapServers, Map<String, String> clientConf, Pipeline pipeline) {
      try {
        return new TopicsCheck(
            Optional.of(
                PipelineTopics.reconcile(
                    bootstrapServers,
                    clientConf,
                    pipeline,
                    false,
                    Optional.empty(),
                    Optional.empty())),
            "");
      } catch (MedallionException e) {
        return skipped(e.problem());
      }
    }

    public static TopicsCheck skipped(String why) {
      return new TopicsCheck(Optional.empty(), why);
    }
  }

  private void checkSilver(
      LakeLayout dry,
      List<String> tables,
      List<String> pending,
      List<String> problems,
      Set<String> failed) {
    SilverRefinement refinement = new SilverRefinement(spark, dry, null);
    for (SilverTable t : pipeline.silverTables()) {
      try {
        TableRefiner refiner = refinement.prepare(t);
        tables.add(
            t.qualifiedName()
                + ": "
                + t.write().mode().name().toLowerCase(java.util.Locale.ROOT)
                + (t.write().keys().isEmpty() ? "" : " by " + String.join(", ", t.write().keys()))
                + ", "
                + t.expectations().size()
                + (t.expectations().size() == 1 ? " rule" : " rules"));
        refiner
            .pendingSchemaChanges(spark, lake)
            .forEach(c -> pending.add(t.qualifiedName() + ": " + c));
      } catch (MedallionException e) {
        problems.add(e.getMessage());
        failed.add(t.qualifiedName());
      }
    }
  }

  /**
   * Analyses gold tables in an order where every gold table a query reads was analysed (and made,
   * empty, in the scratch lake) before it; a table reading one that failed is not analysed again.
   */
  private void checkGold(
      LakeLayout dry, List<String> tables, List<String> problems, Set<String> failed) {
    GoldAggregation gold = new GoldAggregation(spark, dry, pipeline.tables());
    Map<String, GoldTable> waiting = new LinkedHashMap<>();
    pipeline.goldTables().forEach(g -> waiting.put(g.qualifiedName(), g));
    Map<String, String> lines = new LinkedHashMap<>();
    boolean progress = true;
    while (!waiting.isEmpty() && progress) {
      progress = false;
      for (GoldTable g : List.copyOf(waiting.values())) {
        if (g.sources().stream().anyMatch(waiting::containsKey)) {
          continue;
        }
        waiting.remove(g.qualifiedName());
        progress = true;
        List<String> unusable = g.sources().stream().filter(failed::contains).toList();
        if (!unusable.isEmpty()) {
          failed.add(g.qualifiedName());
          lines.put(
              g.qualifiedName(),
              g.qualifiedName()
                  + ": not analysed, it reads "
                  + String.join(", ", unusable)
                  + " (see the problems below)");
          continue;
        }
        try {
          StructType schema = gold.analyse(g);
          spark
              .createDataFrame(List.of(), schema)
              .write()
              .format("delta")
              .partitionBy(g.partitionBy().toArray(String[]::new))
              .save(dry.table(Layer.GOLD, g.name()));
          String refresh = g.refresh().name().toLowerCase(java.util.Locale.ROOT);
          if (g.refresh() != Pipeline.Refresh.FULL) {
            refresh += ", " + gold.howKept(g);
          }
          lines.put(
              g.qualifiedName(),
              g.qualifiedName() + ": " + refresh + ", " + schema.fields().length + " columns");
        } catch (MedallionException e) {
          problems.add(e.getMessage());
          failed.add(g.qualifiedName());
        }
      }
    }
    waiting
        .values()
        .forEach(
            g ->
                problems.add(
                    g.qualifiedName()
                        + " reads "
                        + String.join(", ", g.sources())
                        + " in a cycle of gold tables: each waits for another."));
    pipeline.goldTables().stream()
        .map(g -> lines.get(g.qualifiedName()))
        .filter(l -> l != null)
        .forEach(tables::add);
  }

  private List<String> topicLines(TopicsCheck check, List<String> problems) {
    if (check.topics().isEmpty()) {
      return List.of("not checked: " + check.skipped());
    }
    List<String> lines = new ArrayList<>();
    for (Topic t : check.topics().get()) {
      if (t.state() == State.MISSING) {
        lines.add(t.name() + ": missing");
        problems.add(
            "Kafka has no topic "
                + t.name()
                + " of the pipeline.\n  Fix: Create it: ./lakehouse topics --create (with the same"
                + " --bootstrap-servers).");
      } else {
        lines.add(
            t.name()
                + ": "
                + t.partitions()
                + (t.partitions() == 1 ? " partition" : " partitions")
                + (t.differsFromSpec() ? " (the spec says " + t.specPartitions() + ")" : ""));
      }
    }
    return lines;
  }

  /**
   * The pipeline as edges from each table to what reads it, in spec order: {@code kafka plays →
   * bronze.plays}; a bronze or silver table nothing reads ends in {@code (nothing reads it)}.
   */
  public static List<String> graph(Pipeline pipeline) {
    List<String> lines = new ArrayList<>();
    for (Pipeline.Source s : pipeline.sources()) {
      List<String> readers =
          pipeline.bronzeTables().stream()
              .filter(b -> b.source().name().equals(s.name()))
              .map(BronzeTable::qualifiedName)
              .toList();
      lines.add(edge("kafka " + s.topic(), readers));
    }
    for (BronzeTable b : pipeline.bronzeTables()) {
      lines.add(
          edge(
              b.qualifiedName(),
              pipeline.silverTables().stream()
                  .filter(t -> t.source().name().equals(b.name()))
                  .map(SilverTable::qualifiedName)
                  .toList()));
    }
    Stream.concat(
            pipeline.silverTables().stream().map(SilverTable::qualifiedName),
            pipeline.goldTables().stream().map(GoldTable::qualifiedName))
        .forEach(
            name -> {
              List<String> readers =
                  pipeline.goldTables().stream()
                      .filter(g -> g.sources().contains(name))
                      .map(GoldTable::qualifiedName)
                      .toList();
              if (!readers.isEmpty() || name.startsWith("silver.")) {
                lines.add(edge(name, readers));
              }
            });
    return lines;
  }

  private static String edge(String from, List<String> to) {
    return from + " → " + (to.isEmpty() ? "(nothing reads it)" : String.join(", ", to));
  }

  private static Path scratchLake() {
    try {
      return Files.createTempDirectory("medallion-validate-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a scratch lake for the dry run", e);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A scratch directory left in the temporary folder is harmless.
    }
  }
}
