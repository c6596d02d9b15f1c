package io.medallion.core.spark;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * Session settings for one action: set before it, put back as they were after it. A streaming
 * query's batch runs in the query's own clone of the session, so settings made there reach that
 * query's commands only.
 */
public final class SessionSettings {
  private SessionSettings() {}

  /** Runs {@code action} with {@code settings}, then puts them back as they were. */
  public static <T> T with(SparkSession spark, Map<String, String> settings, Supplier<T> action) {
    Map<String, String> previous = new HashMap<>();
    settings.forEach(
        (key, value) -> {
          if (spark.conf().contains(key)) {
            previous.put(key, spark.conf().get(key));
          }
          spark.conf().set(key, value);
        });
    try {
      return action.get();
    } finally {
      for (String key : settings.keySet()) {
        if (previous.containsKey(key)) {
          spark.conf().set(key, previous.get(key));
        } else {
          spark.conf().unset(key);
        }
      }
    }
  }

  /** Runs {@code action} with {@code settings}, then puts them back as they were. */
  public static void run(SparkSession spark, Map<String, String> settings, Runnable action) {
    with(
        spark,
        settings,
        () -> {
          action.run();
          return null;
        });
  }
}
