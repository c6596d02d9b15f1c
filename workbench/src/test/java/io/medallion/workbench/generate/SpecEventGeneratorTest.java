package io.medallion.workbench.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.PipelineLoader;
import io.medallion.workbench.generate.GeneratedEvent.Kind;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Records for any spec, from its payload schemas. */
class SpecEventGeneratorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant START = Instant.parse("2026-12-01T12:00:00Z");

  private static final String SPEC =
      """
      name: devices
      sources:
        readings: {topic: readings}
        devices: {topic: device_changes}
      bronze:
        tables:
          readings: {source: readings}
          devices: {source: devices}
      silver:
        tables:
          readings:
            source: readings
            payload:
              schema:
                reading_id: string
                device_id: string
                celsius: double
                battery: int
                price: decimal(8,2)
                ok: boolean
                tags: array<string>
                read_at: timestamp
                day: date
              required: [reading_id, read_at]
            expectations:
              - {name: warm, rule: "celsius > -40.5 AND celsius <= 85", action: quarantine}
              - {name: charged, rule: battery BETWEEN 0 AND 100, action: quarantine}
              - {name: priced, rule: price >= 10, action: quarantine}
              - {name: shaped, rule: "tags IS NOT NULL OR ok", action: warn}
            write: {mode: append, keys: [reading_id]}
          devices:
            source: devices
            payload:
              schema:
                op: string
                device_id: string
                model: string
                seq: bigint
                changed_at: timestamp
            expectations:
              - {name: op_known, rule: "op IN ('c', 'u', 'd')", action: quarantine}
              - {name: model_known, rule: model = 'm1', action: quarantine}
              - {name: one_per_seq, unique: [device_id, seq], action: quarantine}
            write: {mode: scd1, keys: [device_id], sequence_by: seq}
      """;

  private static List<GeneratedEvent> generate(long seed, double bad, double dup, double late) {
    Pipeline pipeline = PipelineLoader.parse(Path.of("pipeline.yaml"), SPEC);
    SpecEventGenerator g =
        new SpecEventGenerator(
            pipeline, new GeneratorSettings(3_000, seed, bad, dup, late, START, 0, 50, 200));
    List<GeneratedEvent> events = new ArrayList<>();
    while (g.hasNext()) {
      events.add(g.next());
    }
    return events;
  }

  @Test
  void everyValidRecordHasEveryPayloadFieldWithAValueOfItsType() throws Exception {
    List<GeneratedEvent> events = generate(3, 0, 0, 0);
    Map<String, Integer> perSource = new HashMap<>();
    Set<String> readingIds = new HashSet<>();
    Map<String, Long> lastSeq = new HashMap<>();
    Set<String> ops = new HashSet<>();

    assertThat(events).hasSize(3_000);
    for (GeneratedEvent e : events) {
      assertThat(e.kind()).isEqualTo(Kind.VALID);
      perSource.merge(e.topic(), 1, Integer::sum);
      JsonNode n = JSON.readTree(e.value());
      List<String> fields = new ArrayList<>();
      n.fieldNames().forEachRemaining(fields::add);
      if (e.topic().equals("readings")) {
        assertThat(fields)
            .containsExactly(
                "reading_id",
                "device_id",
                "celsius",
                "battery",
                "price",
                "ok",
                "tags",
                "read_at",
                "day");
        assertThat(readingIds.add(n.get("reading_id").asText())).as("a unique key").isTrue();
        assertThat(e.key()).isEqualTo(n.get("reading_id").asText());
        assertThat(n.get("device_id").asText())
            .as("drawn from the device registry's key pool")
            .matches("device_id-\\d{4}");
        assertThat(n.get("celsius").isDouble()).isTrue();
        assertThat(n.get("celsius").asDouble()).isBetween(-40.49, 85.0);
        assertThat(n.get("battery").isInt()).isTrue();
        assertThat(n.get("battery").asInt()).isBetween(0, 100);
        assertThat(n.get("price").decimalValue()).isBetween(BigDecimal.TEN, new BigDecimal("1010"));
        assertThat(new String(e.value(), java.nio.charset.StandardCharsets.UTF_8))
            .as("a decimal(8,2) written with its two places")
            .containsPattern("\"price\":\\d{1,6}\\.\\d{2},");
        assertThat(n.get("ok").isBoolean()).isTrue();
        assertThat(n.get("tags").isArray()).isTrue();
        Instant at = Instant.parse(n.get("read_at").asText());
        assertThat(at).isBeforeOrEqualTo(START);
        assertThat(n.get("day").asText()).isEqualTo(at.toString().substring(0, 10));
      } else {
        assertThat(e.topic()).isEqualTo("devices");
        assertThat(fields).containsExactly("op", "device_id", "model", "seq", "changed_at");
        ops.add(n.get("op").asText());
        assertThat(n.get("model").asText()).isEqualTo("m1");
        String device = n.get("device_id").asText();
        assertThat(device).matches("device_id-\\d{4}");
        long seq = n.get("seq").asLong();
        assertThat(seq)
            .as("seq rises by one per key")
            .isEqualTo(lastSeq.getOrDefault(device, 0L) + 1);
        lastSeq.put(device, seq);
      }
    }
    assertThat(perSource.keySet()).containsExactlyInAnyOrder("readings", "devices");
    assertThat(ops).as("each value the IN list allows").containsExactlyInAnyOrder("c", "u", "d");
    assertThat(perSource.get("readings")).isBetween(1_300, 1_700);
  }

  @Test
  void theSameSeedGivesTheSameBytesAndTheRatesGiveEveryKind() throws Exception {
    List<GeneratedEvent> a = generate(11, 0.1, 0.1, 0.1);
    List<GeneratedEvent> b = generate(11, 0.1, 0.1, 0.1);
    Map<Kind, Integer> kinds = new EnumMap<>(Kind.class);
    Set<String> sent = new HashSet<>();

    for (int i = 0; i < a.size(); i++) {
      GeneratedEvent e = a.get(i);
      assertThat(e.value()).isEqualTo(b.get(i).value());
      kinds.merge(e.kind(), 1, Integer::sum);
      String value = new String(e.value(), java.nio.charset.StandardCharsets.ISO_8859_1);
      if (e.kind() == Kind.DUPLICATE) {
        assertThat(sent).as("a re-send repeats an earlier record").contains(value);
      }
      if (e.kind() == Kind.VALID || e.kind() == Kind.LATE) {
        sent.add(value);
      }
      if (e.kind() == Kind.LATE && e.topic().equals("readings")) {
        Instant at = Instant.parse(JSON.readTree(e.value()).get("read_at").asText());
        assertThat(at).as("at least an hour late").isBefore(START.minusSeconds(3_600 - 30));
      }
    }
    assertThat(kinds.keySet()).containsExactlyInAnyOrder(Kind.values());
    assertThat(kinds.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(3_000);
  }
}
