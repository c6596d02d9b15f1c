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

  public MedallionException(String problem, String fix) {
    this(problem, fix, null);
  }

  public MedallionException(String problem, String fix, Throwable cause) {
    super(format(problem, fix), cause);
    this.problem = problem;
    this.fix = fix;
  }

  /** What is wrong, in one or two sentences. */
  public String problem() {
    return problem;
  }

  /** What the user can do about it; may be empty. */
  public String fix() {
    return fix;
  }

  private static String format(String problem, String fix) {
    return fix == null || fix.isBlank() ? problem : problem + "\n  Fix: " + fix;
  }
}
