package io.medallion.workbench.generate;

import io.medallion.core.error.MedallionException;
import io.medallion.core.spec.Pipeline;
import io.medallion.workbench.local.Topics;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;

/** Generated events sent to a pipeline's topics: what {@code generate} does for its callers. */
public final class Generation {
  private Generation() {}

  /**
   * Creates missing topics, produces, and prints a summary; shared by generate, the demo and the
   * bench.
   */
  public static EventProducer.Report produce(
      PrintWriter out,
      String servers,
      Map<String, String> kafkaConf,
      Pipeline pipeline,
      GeneratorSettings settings) {
    boolean reference = isReference(pipeline);
    Topics.ensure(servers, pipeline);
    out.printf(
        "Generating %,d %s to %s (seed %d%s)...%n",
        settings.events(),
        reference ? "events" : "records from the payload schemas",
        servers,
        settings.seed(),
        settings.rate() > 0 ? String.format(", %,.0f events/s", settings.rate()) : "");
    out.flush();
    EventProducer.Report report =
        EventProducer.run(
            servers,
            kafkaConf,
            settings,
            generatorFor(pipeline, settings),
            topicsFor(pipeline),
            null);
    out.printf(
        "Acknowledged %,d of %,d in %.1f s (%,.0f events/s): %s%n",
        report.acknowledged(),
        settings.events(),
        report.seconds(),
        report.acknowledged() / Math.max(report.seconds(), 0.001),
        report.acknowledgedByTopic());
    out.printf("By kind: %s; failed sends: %d%n", report.byKind(), report.failed());
    out.flush();
    return report;
  }

  /**
   * Whether the pipeline has the reference sources ({@code plays}, {@code impressions}, {@code
   * titles}), which get the reference generator's realistic events; any other pipeline gets records
   * made from its payload schemas ({@link SpecEventGenerator}).
   */
  public static boolean isReference(Pipeline pipeline) {
    java.util.Set<String> names =
        pipeline.sources().stream()
            .map(Pipeline.Source::name)
            .collect(java.util.stream.Collectors.toSet());
    return names.containsAll(
        java.util.List.of(EventGenerator.PLAYS, EventGenerator.IMPRESSIONS, EventGenerator.TITLES));
  }

  /** The generator for the pipeline: the reference one for the reference sources. */
  public static EventSource generatorFor(Pipeline pipeline, GeneratorSettings settings) {
    return isReference(pipeline)
        ? new EventGenerator(settings)
        : new SpecEventGenerator(pipeline, settings);
  }

  /** The topic each of {@link #generatorFor}'s sources is sent to, by source name. */
  public static Map<String, String> topicsFor(Pipeline pipeline) {
    if (isReference(pipeline)) {
      return topicsOf(pipeline);
    }
    Map<String, String> topics = new HashMap<>();
    pipeline.sources().forEach(s -> topics.put(s.name(), s.topic()));
    return topics;
  }

  /** The generator's topic per reference source, as the spec names them. */
  private static Map<String, String> topicsOf(Pipeline pipeline) {
    Map<String, String> topics = new HashMap<>();
    for (String name :
        new String[] {EventGenerator.PLAYS, EventGenerator.IMPRESSIONS, EventGenerator.TITLES}) {
      Pipeline.Source source =
          pipeline.sources().stream()
              .filter(s -> s.name().equals(name))
              .findFirst()
              .orElseThrow(
                  () ->
                      new MedallionException(
                          "The generator writes the reference pipeline's sources plays,"
                              + " impressions and titles, but "
                              + pipeline.file()
                              + " has no source '"
                              + name
                              + "'.",
                          "Use --pipeline pipelines/engagement/pipeline.yaml, or add the"
                              + " source."));
      topics.put(name, source.topic());
    }
    return topics;
  }
}
