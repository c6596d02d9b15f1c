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
}
