package io.medallion.workbench.generate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Realistic, reproducible events for the reference pipeline's topics {@code plays}, {@code
 * impressions} and {@code titles}.
 *
 * <p>The catalog is created first, then plays and impressions follow with a few catalog changes
 * mixed in. Popularity is skewed (Zipf): a few titles and members account for much of the traffic.
 * The same settings give the same records, byte for byte.
 */
public final class EventGenerator extends RecordStream {
  public static final String PLAYS = "plays";
  public static final String IMPRESSIONS = "impressions";
  public static final String TITLES = "titles";

  static final List<String> DEVICES = List.of("tv", "phone", "tablet", "web", "console");
  static final List<String> EVENT_TYPES = List.of("start", "heartbeat", "pause", "stop");
  static final List<String> ACTIONS = List.of("view", "click");
  private static final String[] COUNTRIES = {
    "US", "BR", "IN", "GB", "DE", "FR", "MX", "JP", "CA", "KR", "ES", "IT", "AU", "NL", "SE", "PL"
  };
  private static final double[] COUNTRY_WEIGHTS = {
    30, 10, 9, 7, 6, 5, 5, 4, 4, 4, 3, 3, 3, 2, 2, 3
  };
  private static final String[] ROWS = {
    "Trending Now",
    "Continue Watching",
    "Top 10 in Your Country",
    "New Releases",
    "Because You Watched",
    "Award-Winning Films",
    "Watch It Again"
  };
  private static final String[] GENRES = {
    "drama",
    "comedy",
    "thriller",
    "documentary",
    "animation",
    "sci-fi",
    "romance",
    "crime",
    "horror",
    "family",
    "action",
    "reality"
  };
  private static final String[] RATINGS = {
    "G", "PG", "PG-13", "R", "TV-Y7", "TV-PG", "TV-14", "TV-MA"
  };
  private static final String[] WORDS_A = {
    "Silent",
    "Crimson",
    "Hidden",
    "Last",
    "Broken",
    "Golden",
    "Midnight",
    "Distant",
    "Electric",
    "Frozen",
    "Wild",
    "Northern",
    "Secret",
    "Lost",
    "Bright"
  };
  private static final String[] WORDS_B = {
    "Harbor",
    "Kingdom",
    "Signal",
    "Garden",
    "Frontier",
    "Orchard",
    "Empire",
    "Tide",
    "Circuit",
    "Valley",
    "Letters",
    "Engine",
    "Summer",
    "Island",
    "Protocol"
  };

  private final double[] titleWeights;
  private final double[] userWeights;
  private final double[] countryWeights;
  private final long[] titleSeq;
  private final boolean[] titleDeleted;

  public EventGenerator(GeneratorSettings settings) {
    super(settings);
    this.titleWeights = zipf(settings.titles(), 1.1);
    this.userWeights = zipf(settings.users(), 0.6);
    this.countryWeights = cumulative(COUNTRY_WEIGHTS);
    this.titleSeq = new long[settings.titles()];
    this.titleDeleted = new boolean[settings.titles()];
  }

  @Override
  Made make(long index, Instant eventTime) {
    Map<String, Object> payload;
    String topic;
    if (index < Math.min(settings.titles(), settings.events() / 10 + 1)) {
      topic = TITLES;
      payload = title((int) index, "c", eventTime);
    } else {
      double pick = random.nextDouble();
      if (pick < 0.60) {
        topic = PLAYS;
        payload = play(eventTime);
      } else if (pick < 0.96) {
        topic = IMPRESSIONS;
        payload = impression(eventTime);
      } else {
        topic = TITLES;
        payload = titleChange(eventTime);
      }
    }
    String key = String.valueOf(payload.get(TITLES.equals(topic) ? "title_id" : "user_id"));
    return new Made(topic, key, payload);
  }

  private Map<String, Object> play(Instant eventTime) {
    int user = pick(userWeights);
    String type = EVENT_TYPES.get(weighted(new double[] {0.25, 0.5, 0.1, 0.15}));
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("event_id", eventId());
    p.put("user_id", userId(user));
    p.put("title_id", titleId(pick(titleWeights)));
    p.put("device", DEVICES.get(Math.floorMod(user * 31 + random.nextInt(3), DEVICES.size())));
    p.put("country", country(user));
    p.put("event_type", type);
    p.put("position_s", "start".equals(type) ? 0 : random.nextInt(7200));
    p.put("event_time", eventTime.toString());
    return p;
  }

  private Map<String, Object> impression(Instant eventTime) {
    int user = pick(userWeights);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("event_id", eventId());
    p.put("user_id", userId(user));
    p.put("title_id", titleId(pick(titleWeights)));
    p.put("row_name", ROWS[random.nextInt(ROWS.length)]);
    p.put("rank", 1 + random.nextInt(40));
    p.put("action", random.nextDouble() < 0.1 ? "click" : "view");
    p.put("country", country(user));
    p.put("event_time", eventTime.toString());
    return p;
  }

  private Map<String, Object> titleChange(Instant eventTime) {
    int title = random.nextInt(settings.titles());
    String op;
    if (titleDeleted[title]) {
      op = "c";
    } else {
      op = random.nextDouble() < 0.05 ? "d" : "u";
    }
    return title(title, op, eventTime);
  }

  private Map<String, Object> title(int title, String op, Instant eventTime) {
    titleDeleted[title] = "d".equals(op);
    SplittableRandom stable = new SplittableRandom(settings.seed() * 31 + title);
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("op", op);
    p.put("title_id", titleId(title));
    p.put(
        "name",
        "The "
            + WORDS_A[stable.nextInt(WORDS_A.length)]
            + " "
            + WORDS_B[stable.nextInt(WORDS_B.length)]
            + (title >= WORDS_A.length * WORDS_B.length ? " " + (title / 100 + 1) : ""));
    p.put("kind", stable.nextInt(3) == 0 ? "series" : "movie");
    List<String> genres = new ArrayList<>();
    int count = 1 + stable.nextInt(3);
    while (genres.size() < count) {
      String g = GENRES[stable.nextInt(GENRES.length)];
      if (!genres.contains(g)) {
        genres.add(g);
      }
    }
    if ("u".equals(op) && random.nextInt(4) == 0) {
      genres.set(0, GENRES[random.nextInt(GENRES.length)]);
    }
    p.put("genres", genres.stream().distinct().toList());
    p.put("maturity_rating", RATINGS[stable.nextInt(RATINGS.length)]);
    p.put("release_year", 1970 + stable.nextInt(57));
    p.put("seq", ++titleSeq[title]);
    p.put("updated_at", eventTime.toString());
    return p;
  }

  /** A record that a strict parser must reject, in one of five ways. */
  @Override
  byte[] corrupt(Made made) {
    Map<String, Object> payload = made.payload();
    Map<String, Object> broken = new LinkedHashMap<>(payload);
    switch (random.nextInt(5)) {
      case 0 -> {
        byte[] whole = bytes(payload);
        return Arrays.copyOf(whole, 1 + random.nextInt(whole.length - 1));
      }
      case 1 -> {
        String field =
            broken.containsKey("position_s")
                ? "position_s"
                : broken.containsKey("rank") ? "rank" : "release_year";
        broken.put(field, "not-a-number");
        return bytes(broken);
      }
      case 2 -> {
        broken.remove(broken.containsKey("event_id") ? "event_id" : "title_id");
        return bytes(broken);
      }
      case 3 -> {
        return junk();
      }
      default -> {
        return new byte[0];
      }
    }
  }

  private String eventId() {
    return String.format("%016x%016x", random.nextLong(), random.nextLong());
  }

  private static String userId(int user) {
    return String.format("u%06d", user);
  }

  private static String titleId(int title) {
    return String.format("t%05d", title);
  }

  private String country(int user) {
    // A member watches from one country; the hash keeps it stable across events.
    double u = new SplittableRandom(settings.seed() ^ (user * 0x9E3779B97F4A7C15L)).nextDouble();
    int i = Arrays.binarySearch(countryWeights, u);
    return COUNTRIES[i >= 0 ? i : Math.min(-i - 1, COUNTRIES.length - 1)];
  }

  private int weighted(double[] probabilities) {
    double u = random.nextDouble();
    double sum = 0;
    for (int i = 0; i < probabilities.length; i++) {
      sum += probabilities[i];
      if (u < sum) {
        return i;
      }
    }
    return probabilities.length - 1;
  }

  private int pick(double[] cumulative) {
    int i = Arrays.binarySearch(cumulative, random.nextDouble());
    return Math.min(i >= 0 ? i : -i - 1, cumulative.length - 1);
  }

  private static double[] zipf(int n, double exponent) {
    double[] weights = new double[n];
    for (int k = 0; k < n; k++) {
      weights[k] = 1.0 / Math.pow(k + 1, exponent);
    }
    return cumulative(weights);
  }

  private static double[] cumulative(double[] weights) {
    double total = Arrays.stream(weights).sum();
    double[] c = new double[weights.length];
    double sum = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i] / total;
      c[i] = sum;
    }
    return c;
  }
}
