package io.medallion.core.error;

/**
 * An error a user can cause and fix: bad configuration, a bad spec, an unreachable service, a
 * stream that cannot continue safely.
 *
 * <p>Its message has three parts: what is wrong, why it happened (when known), and how to fix it.
 * Entry points print it without a stack trace; everything else is an internal error.
 */
public class MedallionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String problem;
  private final String fix;
  private final ErrorCode code;

  public MedallionException(String problem, String fix) {
    this(problem, fix, null);
  }

  public MedallionException(String problem, String fix, Throwable cause) {
    this(null, problem, fix, cause);
  }

  /**
   * An error of the catalog ({@link Errors}): its message ends with the runbook section of its
   * code, except for spec errors, which name their own file, line and key.
   */
  public MedallionException(ErrorCode code, String problem, String fix, Throwable cause) {
    super(format(code, problem, fix), cause);
    this.problem = problem;
    this.fix = fix;
    this.code = code;
  }

  /** What is wrong, in one or two sentences. */
  public String problem() {
    return problem;
  }

  /** What the user can do about it; may be empty. */
  public String fix() {
    return fix;
  }

  /** The catalog's code of this failure, if it has one. */
  public java.util.Optional<ErrorCode> code() {
    return java.util.Optional.ofNullable(code);
  }

  private static String format(ErrorCode code, String problem, String fix) {
    String message = fix == null || fix.isBlank() ? problem : problem + "\n  Fix: " + fix;
    return code == null || code == ErrorCode.SPEC_INVALID
        ? message
        : message + "\n  Runbook: " + code.runbook() + " (" + code.code() + ")";
  }
}
