package io.medallion.core.lake;

/** The three layers of the lake, each a schema for analysts and a folder under the lake root. */
public enum Layer {
  BRONZE,
  SILVER,
  GOLD;

  /** The folder under the lake root, and the schema name: {@code bronze}, {@code silver}, ... */
  public String folder() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
