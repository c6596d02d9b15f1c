package io.medallion.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medallion.core.error.MedallionException;
import io.medallion.core.error.SpecException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineLoaderTest {
  private static final Path FILE = Path.of("pipelines/test/pipeline.yaml");

  private static final String VALID =
      """
      name: shop
      sources:
        orders:
          topic: shop.orders
          partitions: 3
        customers:
          topic: customers
      bronze:
        defaults:
          max_offsets_per_trigger: 500
          trigger_interval: 2s
        tables:
          orders:
            source: orders
            starting_offsets: latest
          customers:
            source: customers
            fail_on_data_loss: false
      """;

  @Test
  void resolvesDefaultsFromTableThenLayerThenBuiltIn() {
    Pipeline p = PipelineLoader.parse(FILE, VALID);

    assertThat(p.name()).isEqualTo("shop");
    assertThat(p.sources())
        .containsExactly(
            new Pipeline.Source("orders", "shop.orders", 3, "json"),
            new Pipeline.Source("customers", "customers", 1, "json"));
    Pipeline.BronzeTable orders = p.bronzeTable("orders").orElseThrow();
    assertThat(orders.startingOffsets()).isEqualTo(StartingOffsets.LATEST);
    assertThat(orders.maxOffsetsPerTrigger()).isEqualTo(500);
    assertThat(orders.failOnDataLoss()).isTrue();
    assertThat(orders.triggerInterval()).isEqualTo(Duration.ofSeconds(2));
    Pipeline.BronzeTable customers = p.bronzeTable("customers").orElseThrow();
    assertThat(customers.startingOffsets()).isEqualTo(StartingOffsets.EARLIEST);
    assertThat(customers.failOnDataLoss()).isFalse();
    assertThat(customers.qualifiedName()).isEqualTo("bronze.customers");
  }

  @Test
  void loadsTheReferencePipeline() {
    Pipeline p = PipelineLoader.load(Path.of("../pipelines/engagement/pipeline.yaml"));

    assertThat(p.name()).isEqualTo("engagement");
    assertThat(p.sources().stream().map(Pipeline.Source::topic))
        .containsExactly("plays", "impressions", "titles");
    assertThat(p.bronzeTables().stream().map(Pipeline.BronzeTable::name))
        .containsExactly("plays", "impressions", "titles");
    assertThat(p.bronzeTables())
        .allSatisfy(
            t -> {
              assertThat(t.startingOffsets()).isEqualTo(StartingOffsets.EARLIEST);
              assertThat(t.failOnDataLoss()).isTrue();
            });
  }

  @Test
  void unknownKeyNamesFileLineKeyAndTheNearestValidKey() {
    String yaml = VALID.replace("    source: orders\n", "    sourc: orders\n");

    assertThatThrownBy(() -> PipelineLoader.parse(FILE, yaml))
        .isInstanceOf(SpecException.class)
        .hasMessageStartingWith(
            "pipelines/test/pipeline.yaml:14 [bronze.tables.orders.sourc]: unknown key 'sourc'")
        .hasMessageContaining("Did you mean 'source'?")
        .hasMessageContaining("Valid keys here: description, fail_on_data_loss,");
  }

  @Test
  void wrongTypeIsReportedWithTheExpectedType() {
    String yaml = VALID.replace("partitions: 3", "partitions: three");

    assertThatThrownBy(() -> PipelineLoader.parse(FILE, yaml))
        .isInstanceOf(SpecException.class)
        .hasMessageStartingWith(
            "pipelines/test/pipeline.yaml:5 [sources.orders.partitions]: expected whole number");
  }

  @Test
  void missingRequiredFieldSaysWhatToAdd() {
    String yaml = VALID.replace("    topic: customers\n", "    partitions: 1\n");

    assertThatThrownBy(() -> PipelineLoader.parse(FILE, yaml))
        .isInstanceOf(SpecException.class)
        .hasMessage(
            "pipelines/test/pipeline.yaml:6 [sources.customers.topic]: 'sources.customers.topic'"
                + " is missing\n  Fix: Add sources.customers.topic: the Kafka topic name.");
  }

  @Test
  void unknownSourceListsTheDeclaredOnes() {
    String yaml = VALID.replace("source: customers", "source: clients");

    assertThatThrownBy(() -> PipelineLoader.parse(FILE, yaml))
        .isInstanceOf(SpecException.class)
        .hasMessage(
            "pipelines/test/pipeline.yaml:17 [bronze.tables.customers.source]: unknown source"
                + " 'clients'\n  Fix: Use one of the declared sources: customers, orders.");
  }

  @Test
  void badStartingOffsetsAndIntervalsAreRejected() {
    assertThatThrownBy(() -> PipelineLoader.parse(FILE, VALID.replace("latest", "yesterday")))
        .hasMessageContaining("[bronze.tables.orders.starting_offsets]: 'yesterday' is not a")
        .hasMessageContaining("Use earliest, latest or an ISO-8601 instant");
    assertThatThrownBy(() -> PipelineLoader.parse(FILE, VALID.replace("2s", "soon")))
        .hasMessageContaining(":11 [bronze.defaults.trigger_interval]: 'soon' is not a duration");
    assertThatThrownBy(() -> PipelineLoader.parse(FILE, VALID.replace("500", "0")))
        .hasMessageContaining("max_offsets_per_trigger must be at least 1");
  }

  @Test
  void onFailureComesFromTheTableThenTheLayerThenStop() {
    Pipeline stopByDefault = PipelineLoader.parse(FILE, VALID);
    Pipeline restarting =
        PipelineLoader.parse(
            FILE,
            VALID
                .replace("trigger_interval: 2s", "trigger_interval: 2s\n    on_failure: restart")
                .replace(
                    "fail_on_data_loss: false",
                    "fail_on_data_loss: false\n      on_failure: stop"));

    assertThat(stopByDefault.bronzeTable("orders").orElseThrow().onFailure())
        .isEqualTo(Pipeline.OnFailure.STOP);
    assertThat(restarting.bronzeTable("orders").orElseThrow().onFailure())
        .isEqualTo(Pipeline.OnFailure.RESTART);
    assertThat(restarting.bronzeTable("customers").orElseThrow().onFailure())
        .isEqualTo(Pipeline.OnFailure.STOP);
    assertThatThrownBy(
            () ->
                PipelineLoader.parse(
                    FILE, VALID.replace("starting_offsets: latest", "on_failure: retry")))
        .isInstanceOf(SpecException.class)
        .hasMessage(
            "pipelines/test/pipeline.yaml:15 [bronze.tables.orders.on_failure]: 'retry' is not a"
                + " failure policy\n  Fix: Use stop (a failed query stops the run) or restart (it"
                + " is restarted with backoff while the other tables go on).");
  }

  @Test
  void aTimestampStartIsParsed() {
    Pipeline p = PipelineLoader.parse(FILE, VALID.replace("latest", "'2026-01-31T00:00:00Z'"));

    assertThat(p.bronzeTable("orders").orElseThrow().startingOffsets())
        .isEqualTo(
            new StartingOffsets(
                StartingOffsets.Mode.TIMESTAMP, Instant.parse("2026-01-31T00:00:00Z")));
  }

  @Test
  void duplicateKeysAndBrokenYamlAreRejected() {
    String duplicate = VALID.replace("  customers:\n    topic", "  orders:\n    topic");
    assertThatThrownBy(() -> PipelineLoader.parse(FILE, duplicate))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("Duplicate field 'orders'");
    assertThatThrownBy(() -> PipelineLoader.parse(FILE, "name: 'unclosed\nsources:\n"))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void twoTablesMayNotLandTheSameSource() {
    String yaml = VALID.replace("source: customers", "source: orders");

    assertThatThrownBy(() -> PipelineLoader.parse(FILE, yaml))
        .hasMessageContaining("source 'orders' already feeds bronze table 'orders'");
  }

  @Test
  void aMissingFileSaysHowToPointAtOne() {
    assertThatThrownBy(() -> PipelineLoader.load(Path.of("no/such/pipeline.yaml")))
        .isInstanceOf(MedallionException.class)
        .hasMessageStartingWith("Pipeline spec no/such/pipeline.yaml does not exist.")
        .hasMessageContaining("--pipeline");
  }

  @Test
  void anEmptySpecIsRejected() {
    assertThatThrownBy(() -> PipelineLoader.parse(FILE, ""))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("the spec is empty");
  }

  private static final String LAYERS =
      VALID
          + """
          silver:
            tables:
              orders:
                source: orders
                payload:
                  schema:
                    order_id: string
                    amount: double
                    order_date: date
                expectations:
                  - name: amount_positive
                    rule: amount > 0
                    action: quarantine
                write:
                  mode: append
                  keys: [order_id]
          gold:
            tables:
              daily_sales:
                refresh: incremental
                slice: order_date
                sql: SELECT order_date, sum(amount) AS sales FROM silver.orders GROUP BY order_date
              big_days:
                refresh: full
                sql: SELECT * FROM gold.daily_sales WHERE sales > 100
          """;

  @Test
  void readsSilverAndGoldWithTheirSources() {
    Pipeline p = PipelineLoader.parse(FILE, LAYERS);

    Pipeline.SilverTable orders = p.silverTable("orders").orElseThrow();
    assertThat(orders.source().name()).isEqualTo("orders");
    assertThat(orders.payload().fields())
        .extracting(Pipeline.Field::name, Pipeline.Field::type)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("order_id", "string"),
            org.assertj.core.groups.Tuple.tuple("amount", "double"),
            org.assertj.core.groups.Tuple.tuple("order_date", "date"));
    assertThat(orders.expectations().get(0).action())
        .isEqualTo(Pipeline.ExpectationAction.QUARANTINE);
    assertThat(orders.write().mode()).isEqualTo(Pipeline.WriteMode.APPEND);
    assertThat(p.goldTable("daily_sales").orElseThrow().sources()).containsExactly("silver.orders");
    assertThat(p.goldTable("big_days").orElseThrow().sources()).containsExactly("gold.daily_sales");
  }

  @Test
  void badSilverAndGoldInputIsRejectedWithLineAndFix() {
    assertThatThrownBy(
            () -> PipelineLoader.parse(FILE, LAYERS.replace("rule: amount > 0", "rule: amount >")))
        .hasMessageStartingWith(
            "pipelines/test/pipeline.yaml:30 [silver.tables.orders.expectations[0].rule]: the"
                + " condition does not parse");
    assertThatThrownBy(
            () -> PipelineLoader.parse(FILE, LAYERS.replace("action: quarantine", "action: skip")))
        .hasMessage(
            "pipelines/test/pipeline.yaml:31 [silver.tables.orders.expectations[0].action]:"
                + " unknown action 'skip'\n  Fix: Use one of: warn, drop, quarantine, fail.");
    assertThatThrownBy(
            () -> PipelineLoader.parse(FILE, LAYERS.replace("amount: double", "amount: dubble")))
        .hasMessageStartingWith(
            "pipelines/test/pipeline.yaml:26 [silver.tables.orders.payload.schema.amount]: 'dubble'"
                + " is not a Spark SQL type");
    assertThatThrownBy(
            () ->
                PipelineLoader.parse(
                    FILE, LAYERS.replace("FROM silver.orders", "FROM silver.order")))
        .hasMessageStartingWith(
            "pipelines/test/pipeline.yaml:40 [gold.tables.daily_sales.sql]: the query reads"
                + " silver.order, which the spec does not declare");
    assertThatThrownBy(
            () ->
                PipelineLoader.parse(
                    FILE,
                    LAYERS.replace(
                        "FROM silver.orders GROUP BY order_date",
                        "FROM gold.big_days GROUP BY order_date")))
        .hasMessageContaining("gold tables read each other in a cycle");
    assertThatThrownBy(
            () ->
                PipelineLoader.parse(
                    FILE, LAYERS.replace("refresh: incremental", "refresh: hourly")))
        .hasMessageStartingWith(
            "pipelines/test/pipeline.yaml:38 [gold.tables.daily_sales.refresh]: unknown refresh"
                + " 'hourly'");
  }

  /** LAYERS with daily_sales streaming, with these lines after its watermark. */
  private static String streaming(String lines) {
    return LAYERS.replace(
        "refresh: incremental\n",
        "refresh: streaming\n      watermark: 10m\n      event_time: order_date\n" + lines);
  }

  @Test
  void aStreamingTableMayCloseEventTimeWindowsThatDivideADay() {
    Pipeline.GoldTable hourly =
        PipelineLoader.parse(
                FILE, streaming("      window:\n        column: hour\n        size: 1h\n"))
            .goldTable("daily_sales")
            .orElseThrow();
    Pipeline.GoldTable whole =
        PipelineLoader.parse(FILE, streaming("")).goldTable("daily_sales").orElseThrow();

    assertThat(hourly.window())
        .isEqualTo(new Pipeline.EventWindow("hour", java.time.Duration.ofHours(1)));
    assertThat(hourly.window().startOf(java.time.Instant.parse("2026-11-20T10:59:59.999Z")))
        .isEqualTo(java.time.Instant.parse("2026-11-20T10:00:00Z"));
    assertThat(whole.window()).isNull();
    assertThatThrownBy(
            () ->
                PipelineLoader.parse(
                    FILE, streaming("      window:\n        column: hour\n        size: 7m\n")))
        .hasMessage(
            "pipelines/test/pipeline.yaml:43 [gold.tables.daily_sales.window.size]: '7m' is not a"
                + " window length that divides a day\n  Fix: Use a length a day holds a whole"
                + " number of: 15m, 1h, 6h or 1d.");
    assertThatThrownBy(
            () ->
                PipelineLoader.parse(
                    FILE,
                    LAYERS.replace(
                        "refresh: incremental\n",
                        "refresh: incremental\n      window: {column: hour, size: 1h}\n")))
        .hasMessageStartingWith(
            "pipelines/test/pipeline.yaml:39 [gold.tables.daily_sales.window]: window is for a"
                + " streaming table");
  }

  /** LAYERS with silver.orders given an event-time field and these extra write keys. */
  private static String withKeyState(String writeKeys) {
    return LAYERS
        .replace("order_date: date\n", "order_date: date\n          ordered_at: timestamp\n")
        .replace("keys: [order_id]\n", "keys: [order_id]\n" + writeKeys);
  }

  @Test
  void anAppendTableWithAnEventTimeHoldsItsKeysInStateForItsHorizon() {
    Pipeline.Write plain =
        PipelineLoader.parse(FILE, LAYERS).silverTable("orders").orElseThrow().write();
    Pipeline.Write byDefault =
        PipelineLoader.parse(FILE, withKeyState("        event_time: ordered_at\n"))
            .silverTable("orders")
            .orElseThrow()
            .write();
    Pipeline.Write declared =
        PipelineLoader.parse(
                FILE, withKeyState("        event_time: ordered_at\n        dedupe_within: 36h\n"))
            .silverTable("orders")
            .orElseThrow()
            .write();

    assertThat(plain.keysInState()).isFalse();
    assertThat(byDefault.keysInState()).isTrue();
    assertThat(byDefault.eventTime()).isEqualTo("ordered_at");
    assertThat(byDefault.dedupeWithin()).isEqualTo(java.time.Duration.ofDays(7));
    assertThat(declared.dedupeWithin()).isEqualTo(java.time.Duration.ofHours(36));
  }

  @Test
  void aKeyStateNeedsATimestampFieldPayloadKeysAndAHorizon() {
    assertThatThrownBy(
            () -> PipelineLoader.parse(FILE, withKeyState("        event_time: order_date\n")))
        .hasMessageContaining(
            "[silver.tables.orders.write.event_time]: event_time"
                + " 'order_date' is not a timestamp field of the payload\n  Fix: Name the"
                + " payload's event-time field (type timestamp), which the transform passes"
                + " through unchanged.");
    assertThatThrownBy(
            () -> PipelineLoader.parse(FILE, withKeyState("        dedupe_within: 7d\n")))
        .hasMessageContaining(
            "[silver.tables.orders.write.dedupe_within]: dedupe_within needs event_time");
    assertThatThrownBy(
            () ->
                PipelineLoader.parse(
                    FILE,
                    withKeyState(
                        "        event_time: ordered_at\n        dedupe_within: a week\n")))
        .hasMessageContaining(
            "[silver.tables.orders.write.dedupe_within]: 'a week' is not a duration");
    assertThatThrownBy(
            () ->
                PipelineLoader.parse(
                    FILE,
                    withKeyState("        event_time: ordered_at\n")
                        .replace("keys: [order_id]", "keys: [order_key]")))
        .hasMessageContaining(
            "[silver.tables.orders.write.keys]: key 'order_key' is not a field of the payload");
  }

  @Test
  void aGoldTableComputedByAClassNamesItsSourcesAndNoQuery() {
    String javaGold =
        LAYERS.replace(
            "sql: SELECT * FROM gold.daily_sales WHERE sales > 100",
            "class: com.example.BigDays\n      sources: [gold.daily_sales]");

    Pipeline.GoldTable bigDays = PipelineLoader.parse(FILE, javaGold).goldTable("big_days").get();

    assertThat(bigDays.className()).isEqualTo("com.example.BigDays");
    assertThat(bigDays.sources()).containsExactly("gold.daily_sales");
    assertThat(bigDays.specKey()).isEqualTo("gold.tables.big_days.class");
    assertThat(bigDays.specLine()).isEqualTo(43);
    assertThatThrownBy(
            () -> PipelineLoader.parse(FILE, javaGold.replace("sources: [gold.daily_sales]\n", "")))
        .hasMessage(
            "pipelines/test/pipeline.yaml:41 [gold.tables.big_days.sources]: 'gold.tables.big_days"
                + ".sources' is missing\n  Fix: Add gold.tables.big_days.sources: the tables the"
                + " class reads, such as [silver.plays].");
    assertThatThrownBy(
            () ->
                PipelineLoader.parse(
                    FILE,
                    LAYERS.replace(
                        "WHERE sales > 100", "WHERE sales > 100\n      sources: [silver.orders]")))
        .hasMessageStartingWith(
            "pipelines/test/pipeline.yaml:44 [gold.tables.big_days.sources]: sources is for a table"
                + " computed by a class; a query names its own");
  }

  @Test
  void maintenancePoliciesResolveTableThenLayerThenDefaultsThenBuiltIn() {
    Pipeline p =
        PipelineLoader.parse(
            FILE,
            VALID
                + """
                maintenance:
                  defaults:
                    target_file_size: 64MiB
                  bronze:
                    vacuum_retention: 336h
                    auto_compact: false
                  tables:
                    bronze.orders:
                      zorder_by: [key]
                      vacuum_retention: 720h
                      auto_compact: true
                """);

    assertThat(p.maintenance().get("bronze.orders"))
        .isEqualTo(
            new Pipeline.MaintenancePolicy(64L << 20, List.of("key"), Duration.ofHours(720), true));
    assertThat(p.maintenance().get("bronze.customers"))
        .isEqualTo(
            new Pipeline.MaintenancePolicy(64L << 20, List.of(), Duration.ofHours(336), false));
    // The defaults reach the system tables, except auto compaction, which they never have.
    assertThat(p.maintenance().get("_system.events"))
        .isEqualTo(
            new Pipeline.MaintenancePolicy(64L << 20, List.of(), Duration.ofHours(168), false));
    assertThat(PipelineLoader.parse(FILE, VALID).maintenance().get("bronze.orders"))
        .isEqualTo(
            new Pipeline.MaintenancePolicy(128_000_000L, List.of(), Duration.ofHours(168), true));
  }

  @Test
  void aVacuumRetentionUnderAWeekIsRejectedWithTheReason() {
    String yaml = VALID + "maintenance:\n  silver:\n    vacuum_retention: 24h\n";

    assertThatThrownBy(() -> PipelineLoader.parse(FILE, yaml))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("[maintenance.silver.vacuum_retention]")
        .hasMessageContaining("shorter than 168h")
        .hasMessageContaining("Keep at least 168h");
  }

  @Test
  void maintenanceOfAnUnknownTableOrABadSizeIsRejected() {
    assertThatThrownBy(
            () ->
                PipelineLoader.parse(
                    FILE, VALID + "maintenance:\n  tables:\n    silver.nope: {}\n"))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("unknown table 'silver.nope'")
        .hasMessageContaining("bronze.orders, bronze.customers");
    assertThatThrownBy(
            () ->
                PipelineLoader.parse(
                    FILE, VALID + "maintenance:\n  defaults:\n    target_file_size: big\n"))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining("[maintenance.defaults.target_file_size]: 'big' is not a file size");
  }

  @Test
  void eachTableCarriesItsMaintenancePolicyAndItsSpec() {
    Pipeline p =
        PipelineLoader.parse(
            FILE,
            VALID + "maintenance:\n  tables:\n    bronze.orders:\n      auto_compact: false\n");
    assertThat(p.bronzeTable("orders").orElseThrow().maintenance())
        .isEqualTo(p.maintenance().get("bronze.orders"));
    assertThat(p.bronzeTable("orders").orElseThrow().maintenance().autoCompact()).isFalse();
    assertThat(p.bronzeTable("customers").orElseThrow().maintenance().autoCompact()).isTrue();
  }

  @Test
  void theSystemTablesHaveNoAutoCompactionWhateverTheDefaultsSay() {
    Pipeline p =
        PipelineLoader.parse(FILE, VALID + "maintenance:\n  defaults:\n    auto_compact: true\n");
    for (String table : Pipeline.SYSTEM_TABLES) {
      assertThat(p.maintenance().get(table).autoCompact()).as(table).isFalse();
    }
    assertThat(p.maintenance().get("bronze.orders").autoCompact()).isTrue();
    assertThatThrownBy(
            () ->
                PipelineLoader.parse(
                    FILE,
                    VALID
                        + "maintenance:\n  tables:\n    _system.events:\n"
                        + "      auto_compact: true\n"))
        .isInstanceOf(SpecException.class)
        .hasMessageContaining(
            "[maintenance.tables._system.events.auto_compact]: the _system tables have no auto"
                + " compaction")
        .hasMessageContaining("Remove maintenance.tables._system.events.auto_compact");
  }

  @Test
  void commandLineOverridesAreAppliedOnceToEveryTable() {
    Pipeline p = PipelineLoader.parse(FILE, VALID);
    Pipeline over =
        p.with(
            new Overrides(
                java.util.Optional.of(Duration.ofMillis(250)),
                java.util.Optional.of(10L),
                java.util.Optional.of(StartingOffsets.EARLIEST),
                true));
    Pipeline.BronzeTable orders = over.bronzeTable("orders").orElseThrow();
    assertThat(orders.triggerInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(orders.maxOffsetsPerTrigger()).isEqualTo(10);
    assertThat(orders.startingOffsets()).isEqualTo(StartingOffsets.EARLIEST);
    assertThat(orders.failOnDataLoss()).isFalse();
    assertThat(orders.maintenance()).isEqualTo(p.bronzeTable("orders").orElseThrow().maintenance());
    // Nothing given: the spec's values stand.
    assertThat(p.with(Overrides.NONE)).isEqualTo(p);
  }
}
