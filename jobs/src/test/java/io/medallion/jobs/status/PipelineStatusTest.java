package io.medallion.jobs.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.medallion.core.events.Event;
import io.medallion.core.events.EventLog;
import io.medallion.core.lake.LakeLayout;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.jobs.status.PipelineStatus.Report;
import io.medallion.testkit.TestSpark;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What status reads from the event log: failures and the restarts of failed queries. */
class PipelineStatusTest {
  @TempDir Path dir;

  @Test
  void restartsOfFailedQueriesAreReportedBesideFailures() {
    Pipeline pipeline =
        PipelineLoader.parse(
            dir.resolve("pipeline.yaml"),
            """
            name: shop
            sources:
              orders: {topic: orders}
            bronze:
              tables:
                orders: {source: orders}
            """);
    LakeLayout lake = LakeLayout.of(dir.resolve("lake").toString());
    try (EventLog log = EventLog.open(TestSpark.get(), lake, "run")) {
      log.add(Event.failure("bronze.orders", "poison record"));
      log.add(Event.restart("bronze.orders", 1));
      log.add(Event.restart("bronze.orders", 2));
    }

    Report report = PipelineStatus.of(TestSpark.get(), pipeline, lake, null, java.util.Map.of());

    assertThat(report.failures())
        .extracting(PipelineStatus.Failure::message)
        .containsExactly("poison record");
    assertThat(report.restarts())
        .extracting(r -> r.query() + ": " + r.message())
        .containsExactlyInAnyOrder(
            "bronze.orders: restarted from its checkpoint after 1 failure",
            "bronze.orders: restarted from its checkpoint after 2 failures");
  }
}
