package io.medallion.core.spec;

/**
 * Where each key of a spec was written, so that an error found while validating it points at the
 * place to fix: a line of a YAML file, or the call of a Java builder that set it.
 *
 * <p>Keys are dotted paths as in the YAML form, such as {@code silver.tables.plays.write.keys}.
 */
public interface SpecLocations {
  /** The file that declares the key at {@code path}, as it is named in errors. */
  String file(String path);

  /** The 1-based line of the key at {@code path}, or of its nearest ancestor; 0 when unknown. */
  int lineOf(String path);

  /**
   * The key that holds {@code path} ({@code a.b} for {@code a.b.c} or {@code a.b[0]}); empty at the
   * top. Locations fall back along it when a key itself was not recorded.
   */
  static String parentOf(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    return cut < 0 ? "" : path.substring(0, cut);
  }
}
