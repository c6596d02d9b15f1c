package io.medallion.workbench.generate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.catalyst.analysis.UnresolvedAttribute;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.expressions.And;
import org.apache.spark.sql.catalyst.expressions.EqualTo;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GreaterThan;
import org.apache.spark.sql.catalyst.expressions.GreaterThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.In;
import org.apache.spark.sql.catalyst.expressions.LessThan;
import org.apache.spark.sql.catalyst.expressions.LessThanOrEqual;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.catalyst.expressions.UnaryMinus;
import org.apache.spark.sql.catalyst.parser.CatalystSqlParser$;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The values a table's simple rules allow, so that generated records pass them: {@code c IN (...)}
 * and {@code c = v} give the choices, {@code BETWEEN} and comparisons with a number give a range.
 * Conjunctions are followed; any other rule (a pattern, a disjunction, a rule over two columns)
 * constrains nothing, and records may fail it.
 */
final class RuleDomains {
  /** The values a column may take: a list to choose from, or a numeric range (ends included). */
  record Domain(List<Object> choices, double low, double high) {
    static final Domain ANY =
        new Domain(List.of(), Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);

    Domain atLeast(double value) {
      return new Domain(choices, Math.max(low, value), high);
    }

    Domain atMost(double value) {
      return new Domain(choices, low, Math.min(high, value));
    }

    Domain oneOf(List<Object> values) {
      return new Domain(List.copyOf(values), low, high);
    }

    boolean bounded() {
      return low != Double.NEGATIVE_INFINITY || high != Double.POSITIVE_INFINITY;
    }
  }

  private final Map<String, Domain> domains = new HashMap<>();

  RuleDomains(List<String> rules) {
    for (String rule : rules) {
      Expression parsed;
      try {
        parsed = CatalystSqlParser$.MODULE$.parseExpression(rule);
      } catch (RuntimeException e) {
        continue; // validate reports rules that do not parse; here they constrain nothing
      }
      collect(parsed);
    }
  }

  /** The domain of a column; {@link Domain#ANY} when no rule constrains it. */
  Domain of(String column) {
    return domains.getOrDefault(column, Domain.ANY);
  }

  private void collect(Expression e) {
    if (e instanceof And and) {
      collect(and.left());
      collect(and.right());
    } else if (e instanceof In in && in.value() instanceof UnresolvedAttribute column) {
      List<Object> values = new ArrayList<>();
      for (Expression item : CollectionConverters.asJava(in.list())) {
        Optional<Object> value = literal(item);
        if (value.isEmpty()) {
          return;
        }
        values.add(value.get());
      }
      update(column, d -> d.oneOf(values));
    } else if (e instanceof EqualTo eq && eq.left() instanceof UnresolvedAttribute column) {
      literal(eq.right()).ifPresent(v -> update(column, d -> d.oneOf(List.of(v))));
    } else if (e instanceof GreaterThanOrEqual c
        && c.left() instanceof UnresolvedAttribute column) {
      number(c.right()).ifPresent(v -> update(column, d -> d.atLeast(v)));
    } else if (e instanceof GreaterThan c && c.left() instanceof UnresolvedAttribute column) {
      number(c.right()).ifPresent(v -> update(column, d -> d.atLeast(Math.nextUp(v))));
    } else if (e instanceof LessThanOrEqual c && c.left() instanceof UnresolvedAttribute column) {
      number(c.right()).ifPresent(v -> update(column, d -> d.atMost(v)));
    } else if (e instanceof LessThan c && c.left() instanceof UnresolvedAttribute column) {
      number(c.right()).ifPresent(v -> update(column, d -> d.atMost(Math.nextDown(v))));
    } else if (e instanceof UnresolvedFunction f
        && f.nameParts().mkString(".").equalsIgnoreCase("between")
        && f.arguments().size() == 3
        && f.arguments().apply(0) instanceof UnresolvedAttribute column) {
      Optional<Double> low = number(f.arguments().apply(1));
      Optional<Double> high = number(f.arguments().apply(2));
      if (low.isPresent() && high.isPresent()) {
        update(column, d -> d.atLeast(low.get()).atMost(high.get()));
      }
    }
  }

  private void update(
      UnresolvedAttribute column, java.util.function.UnaryOperator<Domain> narrowing) {
    domains.put(column.name(), narrowing.apply(of(column.name())));
  }

  private static Optional<Object> literal(Expression e) {
    if (e instanceof Literal l && l.value() instanceof Number n) {
      return Optional.of(n);
    }
    Optional<Double> number = number(e);
    if (number.isPresent()) {
      return Optional.of(number.get());
    }
    return e instanceof Literal l && l.value() != null
        ? Optional.of(l.value().toString())
        : Optional.empty();
  }

  private static Optional<Double> number(Expression e) {
    if (e instanceof Literal l && l.value() instanceof Number n) {
      return Optional.of(n.doubleValue());
    }
    if (e instanceof Literal l && l.value() instanceof org.apache.spark.sql.types.Decimal d) {
      return Optional.of(d.toDouble());
    }
    if (e instanceof UnaryMinus minus) {
      return number(minus.child()).map(v -> -v);
    }
    return Optional.empty();
  }
}
