package io.medallion.workbench.generate;

import io.medallion.core.spec.Pipeline;
import io.medallion.core.spec.Pipeline.SilverTable;
import io.medallion.core.spec.Pipeline.WriteMode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Records for any pipeline, made from the payload schemas of the silver tables that read each
 * source: every field gets a value of its type, the table's keys are unique per record (append
 * tables) or drawn from a pool with a rising {@code sequence_by} (SCD tables), a field named like
 * an SCD table's key draws from that pool too (so joins on it match), values keep to what the
 * table's simple rules allow ({@link RuleDomains}), timestamps follow the event time. Sources are
 * picked evenly. Bad, re-sent and late records come at the settings' rates, as with the reference
 * generator; the same settings give the same bytes.
 */
public final class SpecEventGenerator extends RecordStream {
  /** How many distinct values a string field that is not a key takes. */
  private static final int WORDS = 8;

  /** What a source's records hold. */
  private record Plan(
      String source,
      List<String> names,
      List<DataType> types,
      List<String> keys,
      boolean keyPerRecord,
      String sequenceBy,
      RuleDomains domains) {}

  private final List<Plan> plans = new ArrayList<>();
  private final Map<String, Long> sequences = new HashMap<>();

  /** The keys of SCD tables: a field of that name anywhere takes its values from the same pool. */
  private final Set<String> pooledKeys = new HashSet<>();

  public SpecEventGenerator(Pipeline pipeline, GeneratorSettings settings) {
    super(settings);
    for (Pipeline.Source source : pipeline.sources()) {
      Plan plan = plan(pipeline, source);
      plans.add(plan);
      if (!plan.keyPerRecord()) {
        pooledKeys.addAll(plan.keys());
      }
    }
  }

  /** The fields of the first silver table refining the source; a lone {@code value} without one. */
  private static Plan plan(Pipeline pipeline, Pipeline.Source source) {
    Optional<SilverTable> reader =
        pipeline.silverTables().stream()
            .filter(t -> t.source().source().name().equals(source.name()))
            .findFirst();
    if (reader.isEmpty()) {
      return new Plan(
          source.name(),
          List.of("value"),
          List.of(DataTypes.StringType),
          List.of(),
          true,
          "",
          new RuleDomains(List.of()));
    }
    SilverTable t = reader.get();
    List<String> names = new ArrayList<>();
    List<DataType> types = new ArrayList<>();
    for (Pipeline.Field f : t.payload().fields()) {
      names.add(f.name());
      types.add(CatalystSqlParser$.MODULE$.parseDataType(f.type()));
    }
    List<String> keys = t.write().keys().stream().filter(names::contains).toList();
    int sequence = names.indexOf(t.write().sequenceBy());
    boolean counted =
        sequence >= 0
            && (types.get(sequence) instanceof IntegerType
                || types.get(sequence) instanceof LongType);
    return new Plan(
        source.name(),
        names,
        types,
        keys,
        t.write().mode() == WriteMode.APPEND,
        counted ? t.write().sequenceBy() : "",
        new RuleDomains(
            t.expectations().stream()
                .filter(e -> !e.isUnique())
                .map(Pipeline.Expectation::rule)
                .toList()));
  }

  @Override
  Made make(long index, Instant eventTime) {
    Plan plan = plans.get(random.nextInt(plans.size()));
    Map<String, Object> payload = new LinkedHashMap<>();
    for (int i = 0; i < plan.names().size(); i++) {
      String name = plan.names().get(i);
      payload.put(name, value(plan, name, plan.types().get(i), eventTime));
    }
    if (!plan.sequenceBy().isEmpty()) {
      String key = plan.source() + "/" + keyOf(plan, payload);
      payload.put(plan.sequenceBy(), sequences.merge(key, 1L, Long::sum));
    }
    return new Made(plan.source(), keyOf(plan, payload), payload);
  }

  private static String keyOf(Plan plan, Map<String, Object> payload) {
    return String.join("|", plan.keys().stream().map(k -> String.valueOf(payload.get(k))).toList());
  }

  private Object value(Plan plan, String name, DataType type, Instant eventTime) {
    if (type instanceof StringType) {
      if (plan.keys().contains(name) && plan.keyPerRecord()) {
        return String.format("%016x%016x", random.nextLong(), random.nextLong());
      }
      if (pooledKeys.contains(name)) {
        return String.format("%s-%04d", name, random.nextInt(Math.max(1, settings.titles())));
      }
    }
    RuleDomains.Domain domain = plan.domains().of(name);
    if (!domain.choices().isEmpty()) {
      return domain.choices().get(random.nextInt(domain.choices().size()));
    }
    if (domain.bounded()) {
      Object bounded = within(domain, type);
      if (bounded != null) {
        return bounded;
      }
    }
    return valueOf(name, type, eventTime);
  }

  /** A number of the type within the rule's range; null for a type a range does not apply to. */
  private Object within(RuleDomains.Domain domain, DataType type) {
    double low = domain.low();
    double high = domain.high();
    if (low == Double.NEGATIVE_INFINITY) {
      low = high - 1000;
    } else if (high == Double.POSITIVE_INFINITY) {
      high = low + 1000;
    }
    if (type instanceof ByteType
        || type instanceof ShortType
        || type instanceof IntegerType
        || type instanceof LongType) {
      long from = (long) Math.ceil(low);
      long to = (long) Math.floor(high);
      return to < from ? null : from + random.nextLong(to - from + 1);
    }
    if (type instanceof FloatType || type instanceof DoubleType) {
      long from = (long) Math.ceil(low * 100);
      long to = (long) Math.floor(high * 100);
      return to < from
          ? null
          : BigDecimal.valueOf(from + random.nextLong(to - from + 1), 2).doubleValue();
    }
    if (type instanceof DecimalType d) {
      double unit = Math.pow(10, d.scale());
      long from = (long) Math.ceil(low * unit);
      long to = (long) Math.floor(high * unit);
      return to < from
          ? null
          : BigDecimal.valueOf(from + random.nextLong(to - from + 1), d.scale());
    }
    return null;
  }

  private Object valueOf(String name, DataType type, Instant eventTime) {
    if (type instanceof StringType) {
      if (name.endsWith("_id")) {
        return String.format(
            "%s-%06d",
            name.substring(0, name.length() - 3), random.nextInt(Math.max(1, settings.users())));
      }
      return name + "-" + random.nextInt(WORDS);
    }
    if (type instanceof ByteType) {
      return random.nextInt(100);
    }
    if (type instanceof ShortType || type instanceof IntegerType || type instanceof LongType) {
      return random.nextInt(1000);
    }
    if (type instanceof FloatType || type instanceof DoubleType) {
      return BigDecimal.valueOf(random.nextInt(100_000), 2).doubleValue();
    }
    if (type instanceof DecimalType d) {
      long limit = (long) Math.pow(10, Math.min(d.precision(), 9));
      return BigDecimal.valueOf(random.nextLong(limit), d.scale())
          .setScale(d.scale(), RoundingMode.UNNECESSARY);
    }
    if (type instanceof BooleanType) {
      return random.nextBoolean();
    }
    if (type instanceof TimestampType || type instanceof TimestampNTZType) {
      return eventTime.toString();
    }
    if (type instanceof DateType) {
      return eventTime.atOffset(ZoneOffset.UTC).toLocalDate().toString();
    }
    if (type instanceof ArrayType a) {
      List<Object> items = new ArrayList<>();
      int n = 1 + random.nextInt(3);
      for (int i = 0; i < n; i++) {
        items.add(valueOf(name, a.elementType(), eventTime));
      }
      return items;
    }
    return null; // structs and maps: left out of the record's value, so null in silver
  }

  /** A record a strict parser must reject: cut short, a wrong type, junk bytes or empty. */
  @Override
  byte[] corrupt(Made made) {
    Map<String, Object> payload = made.payload();
    Plan plan =
        plans.stream().filter(p -> p.source().equals(made.topic())).findFirst().orElseThrow();
    byte[] whole = bytes(payload);
    return switch (random.nextInt(4)) {
      case 0 -> Arrays.copyOf(whole, 1 + random.nextInt(Math.max(1, whole.length - 1)));
      case 1 -> {
        Map<String, Object> broken = new LinkedHashMap<>(payload);
        String numeric = null;
        for (int i = 0; i < plan.names().size() && numeric == null; i++) {
          DataType t = plan.types().get(i);
          if (t instanceof IntegerType || t instanceof LongType || t instanceof DoubleType) {
            numeric = plan.names().get(i);
          }
        }
        if (numeric == null) {
          yield "{".getBytes(StandardCharsets.UTF_8);
        }
        broken.put(numeric, "not-a-number");
        yield bytes(broken);
      }
      case 2 -> junk();
      default -> new byte[0];
    };
  }
}
