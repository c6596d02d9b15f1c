package io.medallion.jobs.api;

import io.medallion.core.spec.Pipeline;
import java.util.List;

/** pipelines/telemetry/pipeline.yaml, defined with the builder. */
public final class TelemetryInJava implements PipelineDefinition {
  private static final String DEVICE_OPS = "op IN ('c', 'u', 'd')";

  @Override
  public Pipeline define() {
    return PipelineBuilder.pipeline("telemetry")
        .description(
            "Sensor readings and the device registry, refined into per-device and per-site health.")
        .source("readings", s -> s.topic("readings").partitions(2).format("json").key("device_id"))
        .source("devices", s -> s.topic("devices").partitions(1).format("json").key("device_id"))
        .bronze("readings", b -> b.source("readings").description("Raw readings."))
        .bronze(
            "devices", b -> b.source("devices").description("Raw device registry change records."))
        .silver(
            "readings",
            t ->
                t.source("readings")
                    .description(
                        "Valid readings, one row per reading_id, with their Kafka lineage.")
                    .format("json")
                    .field("reading_id", "string")
                    .field("device_id", "string")
                    .field("temperature_c", "double")
                    .field("humidity_pct", "double")
                    .field("battery_pct", "int")
                    .field("read_at", "timestamp")
                    .required("reading_id", "device_id", "read_at")
                    .transformSql("SELECT *, to_date(read_at) AS reading_date FROM input")
                    .expect(
                        "temperature_in_range", "temperature_c BETWEEN -40 AND 85", "quarantine")
                    .expect("humidity_in_range", "humidity_pct BETWEEN 0 AND 100", "quarantine")
                    .expect("battery_in_range", "battery_pct BETWEEN 0 AND 100", "quarantine")
                    .expect(
                        "read_at_not_ahead",
                        "read_at <= ingested_at + INTERVAL 5 MINUTES",
                        "quarantine")
                    .append("reading_id")
                    .partitionBy("reading_date")
                    .dedupeWithin("read_at", "3d"))
        .silver(
            "devices",
            t ->
                devices(t)
                    .description(
                        "The device registry as it is now (SCD type 1); retired devices removed.")
                    .scd1(List.of("device_id"), "seq")
                    .deleteWhen("op = 'd'"))
        .silver(
            "devices_history",
            t ->
                devices(t)
                    .description(
                        "Every version of every device (SCD type 2) with valid_from, valid_to and"
                            + " is_current.")
                    .scd2(List.of("device_id"), "seq", "changed_at")
                    .deleteWhen("op = 'd'"))
        .gold(
            "device_daily",
            g ->
                g.description(
                        "Per device and UTC date: readings, the lowest, mean and highest"
                            + " temperature, and the lowest battery level.")
                    .incremental("reading_date")
                    .partitionBy("reading_date")
                    .sql(
                        """
                        SELECT device_id,
                               reading_date,
                               count(*) AS readings,
                               min(temperature_c) AS min_temperature_c,
                               avg(temperature_c) AS avg_temperature_c,
                               max(temperature_c) AS max_temperature_c,
                               min(battery_pct) AS min_battery_pct
                        FROM silver.readings
                        GROUP BY device_id, reading_date
                        """))
        .gold(
            "site_hourly",
            g ->
                g.description(
                        "Per site and UTC hour: readings, distinct devices and mean temperature,"
                            + " each reading attributed to the site its device was at when it"
                            + " measured (an as-of join to silver.devices_history); readings of a"
                            + " device not yet registered are not counted.")
                    .full()
                    .sql(
                        """
                        SELECT h.site,
                               date_trunc('HOUR', r.read_at) AS reading_hour,
                               count(*) AS readings,
                               count(DISTINCT r.device_id) AS devices,
                               avg(r.temperature_c) AS avg_temperature_c
                        FROM silver.readings r
                        JOIN silver.devices_history h
                          ON h.device_id = r.device_id
                         AND h.op <> 'd'
                         AND r.read_at >= h.valid_from
                         AND (h.valid_to IS NULL OR r.read_at < h.valid_to)
                        GROUP BY h.site, date_trunc('HOUR', r.read_at)
                        """))
        .gold(
            "low_battery",
            g ->
                g.description(
                        "Registered devices whose latest reading reports a battery below 20"
                            + " percent, with their current site and model.")
                    .full()
                    .sql(
                        """
                        SELECT d.device_id, d.site, d.model, r.battery_pct, r.read_at AS last_read_at
                        FROM (SELECT device_id, battery_pct, read_at,
                                     row_number() OVER (PARTITION BY device_id
                                                        ORDER BY read_at DESC, reading_id DESC) AS recency
                              FROM silver.readings) r
                        JOIN silver.devices d ON d.device_id = r.device_id
                        WHERE r.recency = 1 AND r.battery_pct < 20
                        """))
        .build();
  }

  /** What the two device tables share: their source, payload and rules. */
  private static PipelineBuilder.Silver devices(PipelineBuilder.Silver t) {
    return t.source("devices")
        .format("json")
        .field("op", "string")
        .field("device_id", "string")
        .field("site", "string")
        .field("model", "string")
        .field("seq", "bigint")
        .field("changed_at", "timestamp")
        .required("op", "device_id", "seq", "changed_at")
        .expect("op_known", DEVICE_OPS, "quarantine")
        .unique("one_change_per_seq", List.of("device_id", "seq"), "quarantine");
  }
}
