package io.medallion.core.lake;

import io.medallion.core.error.MedallionException;
import java.util.Arrays;
import java.util.Locale;

/**
 * A table of the lake by identity: its layer and its name, written {@code layer.name} in SQL and on
 * the command line ({@code silver.plays}, {@code _system.events}).
 *
 * @param layer the layer, which is also the schema analysts query and the folder under the root
 * @param name the table's name within its layer
 */
public record TableRef(Layer layer, String name) {
  /** A table of {@code layer}. */
  public static TableRef of(Layer layer, String name) {
    return new TableRef(layer, name);
  }

  /**
   * Reads a qualified name such as {@code silver.plays}.
   *
   * @throws MedallionException when it has no layer, or a layer the lake does not have
   */
  public static TableRef parse(String qualified) {
    int dot = qualified.indexOf('.');
    Layer layer =
        dot < 1
            ? null
            : Arrays.stream(Layer.values())
                .filter(l -> l.folder().equals(qualified.substring(0, dot)))
                .findFirst()
                .orElse(null);
    if (layer == null || dot == qualified.length() - 1) {
      throw new MedallionException(
          "'" + qualified + "' is not a qualified table name.",
          "Write the layer, a dot and the table, such as silver.plays; the layers are "
              + String.join(
                  ", ", Arrays.stream(Layer.values()).map(Layer::folder).toArray(String[]::new))
              + ".");
    }
    return new TableRef(layer, qualified.substring(dot + 1));
  }

  /** The name analysts and commands use: {@code layer.name}. */
  public String qualifiedName() {
    return layer.folder() + "." + name;
  }

  /** The table's SQL identifier, each part quoted: {@code `silver`.`plays`}. */
  public String sql() {
    return Sql.identifier(layer.folder()) + "." + Sql.identifier(name);
  }

  @Override
  public String toString() {
    return qualifiedName();
  }

  /** Whether {@code text} is this table's qualified name, ignoring case. */
  public boolean is(String text) {
    return qualifiedName().equals(text.toLowerCase(Locale.ROOT));
  }
}
