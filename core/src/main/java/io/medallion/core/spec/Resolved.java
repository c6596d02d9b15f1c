package io.medallion.core.spec;

/**
 * A setting's value and the spec key that supplied it, so that an error about the value names the
 * line the user wrote.
 *
 * <p>The one place the spec's precedence is written: a table's own setting wins over its layer's
 * ({@code <layer>.defaults}, or for maintenance {@code maintenance.<layer>} then {@code
 * maintenance.defaults}), which wins over the built-in default. Command-line flags are applied
 * afterwards, once, by {@link Pipeline#with(Overrides)}.
 *
 * @param value the value in force
 * @param key the spec key that set it, or {@link #BUILT_IN}
 */
public record Resolved<T>(T value, String key) {
  /** The key of a value no spec level set. */
  public static final String BUILT_IN = "(built-in default)";

  /**
   * One level a setting can be written at.
   *
   * @param key the spec key at that level, such as {@code silver.tables.plays.trigger_interval}
   * @param value what the spec says there, or null when it says nothing
   */
  public record Level<T>(String key, T value) {}

  /** A level of the spec: {@code key} and what it holds there (null: not set). */
  public static <T> Level<T> at(String key, T value) {
    return new Level<>(key, value);
  }

  /**
   * The value of the most specific level that sets one, else {@code builtIn}.
   *
   * @param levels the levels, most specific (the table) first
   */
  @SafeVarargs
  public static <T> Resolved<T> of(T builtIn, Level<T>... levels) {
    for (Level<T> level : levels) {
      if (level.value() != null) {
        return new Resolved<>(level.value(), level.key());
      }
    }
    return new Resolved<>(builtIn, BUILT_IN);
  }

  /** Whether no spec level set the value. */
  public boolean builtIn() {
    return BUILT_IN.equals(key);
  }
}
