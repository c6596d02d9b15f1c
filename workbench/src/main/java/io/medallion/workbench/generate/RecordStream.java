package io.medallion.workbench.generate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.medallion.workbench.generate.GeneratedEvent.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What every generator shares: event times that lead up to the start time (or follow the rate),
 * re-sends of recent records, malformed and late records at the settings' rates, all from one
 * seeded random source so that the same settings give the same bytes. A generator supplies the
 * records themselves ({@link #make}) and how to break one ({@link #corrupt}).
 */
abstract class RecordStream implements EventSource {
  /** Event times of an unpaced run are spread as if produced at this rate. */
  private static final double VIRTUAL_RATE = 100.0;

  private static final int RECENT = 1024;

  /**
   * One record before it is serialised.
   *
   * @param topic the source (generator topic) it goes to
   * @param key its Kafka key
   * @param payload its JSON fields, in order
   */
  record Made(String topic, String key, Map<String, Object> payload) {}

  protected final GeneratorSettings settings;
  protected final SplittableRandom random;
  private final ObjectMapper json = new ObjectMapper();
  private final GeneratedEvent[] recent = new GeneratedEvent[RECENT];
  private final Instant firstEventTime;
  private final double secondsPerEvent;
  private int recentCount;
  private long emitted;

  RecordStream(GeneratorSettings settings) {
    this.settings = settings;
    this.random = new SplittableRandom(settings.seed());
    Instant end = settings.startTime().truncatedTo(ChronoUnit.MILLIS);
    if (settings.rate() > 0) {
      this.secondsPerEvent = 1.0 / settings.rate();
      this.firstEventTime = end;
    } else {
      this.secondsPerEvent = 1.0 / VIRTUAL_RATE;
      this.firstEventTime = end.minusMillis((long) (settings.events() * 1000 / VIRTUAL_RATE));
    }
  }

  /** The record number {@code index} (from 0), at {@code eventTime}. */
  abstract Made make(long index, Instant eventTime);

  /** {@code made} broken so that a strict parser rejects it. */
  abstract byte[] corrupt(Made made);

  @Override
  public boolean hasNext() {
    return emitted < settings.events();
  }

  @Override
  public GeneratedEvent next() {
    long index = emitted++;
    Instant eventTime = firstEventTime.plusNanos((long) (index * secondsPerEvent * 1_000_000_000L));
    if (recentCount > 0 && random.nextDouble() < settings.duplicateFraction()) {
      GeneratedEvent original = recent[random.nextInt(Math.min(recentCount, RECENT))];
      return new GeneratedEvent(original.topic(), original.key(), original.value(), Kind.DUPLICATE);
    }
    boolean bad = random.nextDouble() < settings.badFraction();
    boolean late = !bad && random.nextDouble() < settings.lateFraction();
    if (late) {
      eventTime = eventTime.minus(Duration.ofMinutes(60 + random.nextInt(5 * 60)));
    }
    Made made = make(index, eventTime);
    if (bad) {
      return new GeneratedEvent(made.topic(), made.key(), corrupt(made), Kind.BAD);
    }
    GeneratedEvent event =
        new GeneratedEvent(
            made.topic(), made.key(), bytes(made.payload()), late ? Kind.LATE : Kind.VALID);
    recent[recentCount++ % RECENT] = event;
    return event;
  }

  /** Binary junk of 1 to 64 bytes, none of them ASCII. */
  byte[] junk() {
    byte[] junk = new byte[1 + random.nextInt(64)];
    for (int i = 0; i < junk.length; i++) {
      junk[i] = (byte) (0x80 | random.nextInt(128));
    }
    return junk;
  }

  byte[] bytes(Map<String, Object> payload) {
    try {
      return json.writeValueAsString(payload).getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
