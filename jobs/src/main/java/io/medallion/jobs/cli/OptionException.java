package io.medallion.jobs.cli;

import io.medallion.core.error.MedallionException;

/**
 * An option whose value cannot be used (not a duration, an unknown table, dates the wrong way
 * round): a usage error, exit code {@value LakehouseCommand#EXIT_USAGE}, with the fix.
 */
public final class OptionException extends MedallionException {
  private static final long serialVersionUID = 1L;

  public OptionException(String problem, String fix) {
    super(problem, fix);
  }
}
