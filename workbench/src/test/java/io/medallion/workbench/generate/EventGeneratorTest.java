package io.medallion.workbench.generate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.workbench.generate.GeneratedEvent.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventGeneratorTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant START = Instant.parse("2026-11-01T12:00:00Z");

  private static List<GeneratedEvent> generate(long seed, double bad, double dup, double late) {
    EventGenerator g =
        new EventGenerator(
            new GeneratorSettings(20_000, seed, bad, dup, late, START, 0, 500, 5_000));
    List<GeneratedEvent> events = new ArrayList<>();
    while (g.hasNext()) {
      events.add(g.next());
    }
    return events;
  }

  @Test
  void theSameSeedGivesTheSameEventsByteForByte() {
    List<GeneratedEvent> a = generate(7, 0.05, 0.05, 0.05);
    List<GeneratedEvent> b = generate(7, 0.05, 0.05, 0.05);
    List<GeneratedEvent> c = generate(8, 0.05, 0.05, 0.05);

    assertThat(a).hasSize(20_000);
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).value()).isEqualTo(b.get(i).value());
      assertThat(a.get(i).key()).isEqualTo(b.get(i).key());
    }
    assertThat(Arrays.equals(a.get(5_000).value(), c.get(5_000).value())).isFalse();
  }

  @Test
  void validEventsHaveExactlyTheContractedFieldsAndValues() throws Exception {
    Map<String, Integer> perTopic = new HashMap<>();
    Map<String, Integer> plays = new HashMap<>();
    for (GeneratedEvent e : generate(1, 0, 0, 0)) {
      assertThat(e.kind()).isEqualTo(Kind.VALID);
      perTopic.merge(e.topic(), 1, Integer::sum);
      JsonNode n = JSON.readTree(e.value());
      switch (e.topic()) {
        case "plays" -> {
          assertThat(fields(n))
              .containsExactly(
                  "event_id",
                  "user_id",
                  "title_id",
                  "device",
                  "country",
                  "event_type",
                  "position_s",
                  "event_time");
          assertThat(EventGenerator.DEVICES).contains(n.get("device").asText());
          assertThat(EventGenerator.EVENT_TYPES).contains(n.get("event_type").asText());
          assertThat(n.get("position_s").isInt()).isTrue();
          assertThat(n.get("position_s").asInt()).isNotNegative();
          assertThat(n.get("country").asText()).matches("[A-Z]{2}");
          assertThat(e.key()).isEqualTo(n.get("user_id").asText());
          Instant t = Instant.parse(n.get("event_time").asText());
          assertThat(t).isBetween(START.minus(Duration.ofSeconds(201)), START);
          plays.merge(n.get("title_id").asText(), 1, Integer::sum);
        }
        case "impressions" -> {
          assertThat(fields(n))
              .containsExactly(
                  "event_id",
                  "user_id",
                  "title_id",
                  "row_name",
                  "rank",
                  "action",
                  "country",
                  "event_time");
          assertThat(n.get("rank").asInt()).isPositive();
          assertThat(EventGenerator.ACTIONS).contains(n.get("action").asText());
        }
        case "titles" -> {
          assertThat(fields(n))
              .containsExactly(
                  "op",
                  "title_id",
                  "name",
                  "kind",
                  "genres",
                  "maturity_rating",
                  "release_year",
                  "seq",
                  "updated_at");
          assertThat(Set.of("c", "u", "d")).contains(n.get("op").asText());
          assertThat(Set.of("movie", "series")).contains(n.get("kind").asText());
          assertThat(n.get("genres").isArray()).isTrue();
          assertThat(e.key()).isEqualTo(n.get("title_id").asText());
        }
        default -> throw new AssertionError("unexpected topic " + e.topic());
      }
    }
    assertThat(perTopic.keySet()).containsExactlyInAnyOrder("plays", "impressions", "titles");
    // Skew: the most popular title gets far more plays than an average one.
    int max = plays.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
    double mean = plays.values().stream().mapToInt(Integer::intValue).average().orElseThrow();
    assertThat(max).isGreaterThan((int) (10 * mean));
  }

  @Test
  void fractionsOfBadDuplicateAndLateEventsAreHonoured() throws Exception {
    List<GeneratedEvent> events = generate(3, 0.1, 0.05, 0.2);
    Map<Kind, Integer> kinds = new HashMap<>();
    events.forEach(e -> kinds.merge(e.kind(), 1, Integer::sum));

    assertThat(kinds.get(Kind.DUPLICATE)).isBetween(850, 1150);
    assertThat(kinds.get(Kind.BAD)).isBetween(1700, 2100);
    assertThat(kinds.get(Kind.LATE)).isBetween(3100, 3800);
    for (GeneratedEvent e : events) {
      if (e.kind() == Kind.BAD) {
        assertThat(isValid(e)).as(new String(e.value())).isFalse();
      }
      if (e.kind() == Kind.LATE && !e.topic().equals("titles")) {
        Instant t = Instant.parse(JSON.readTree(e.value()).get("event_time").asText());
        assertThat(t).isBefore(START.minus(Duration.ofMinutes(59)));
      }
    }
  }

  private static boolean isValid(GeneratedEvent e) {
    try {
      JsonNode n = JSON.readTree(e.value());
      if (n == null || !n.isObject()) {
        return false;
      }
      String id = e.topic().equals("titles") ? "title_id" : "event_id";
      if (!n.has(id)) {
        return false;
      }
      for (String numeric : List.of("position_s", "rank", "release_year")) {
        if (n.has(numeric) && !n.get(numeric).isInt()) {
          return false;
        }
      }
      return true;
    } catch (Exception ex) {
      return false;
    }
  }

  private static List<String> fields(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
