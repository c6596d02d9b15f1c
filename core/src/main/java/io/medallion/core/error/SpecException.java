package io.medallion.core.error;

/** A pipeline spec that cannot be used, located by file, line and key path. */
public final class SpecException extends MedallionException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final String key;

  public SpecException(String file, int line, String key, String problem, String fix) {
    super(ErrorCode.SPEC_INVALID, location(file, line, key) + ": " + problem, fix, null);
    this.file = file;
    this.line = line;
    this.key = key;
  }

  /** The spec file as the user named it. */
  public String file() {
    return file;
  }

  /** The 1-based line of the offending key, or 0 when unknown. */
  public int line() {
    return line;
  }

  /** The dotted key path, such as {@code bronze.tables.plays.source}; empty for the whole file. */
  public String key() {
    return key;
  }

  private static String location(String file, int line, String key) {
    StringBuilder where = new StringBuilder(file);
    if (line > 0) {
      where.append(':').append(line);
    }
    if (key != null && !key.isEmpty()) {
      where.append(" [").append(key).append(']');
    }
    return where.toString();
  }
}
