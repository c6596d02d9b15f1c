package io.medallion.core.lake;

import java.util.Locale;

/**
 * The layers of the lake, each a schema for analysts and a folder under the lake root: bronze,
 * silver and gold, and the platform's own tables under {@code _system}.
 */
public enum Layer {
  BRONZE,
  SILVER,
  GOLD,
  /** The platform's records about itself ({@link SystemTables}). */
  SYSTEM;

  /** The folder under the lake root, and the schema name: {@code bronze}, ..., {@code _system}. */
  public String folder() {
    return this == SYSTEM ? "_system" : name().toLowerCase(Locale.ROOT);
  }
}
