package io.medallion.core.error;

import java.util.Locale;

/**
 * Stable codes of the failures a user meets and fixes: the runbook in {@code docs/reliability.md}
 * has a section per code (headed by the code and its title), so that an error's last line leads
 * straight to it, whatever its wording becomes.
 */
public enum ErrorCode {
  /** Kafka no longer has records a query has not read. */
  KAFKA_DATA_LOSS("M101", "Kafka data loss"),
  /** A checkpoint file is empty or cut short. */
  CHECKPOINT_DAMAGED("M201", "checkpoint damaged"),
  /** A checkpoint is gone while its table holds what was written through it. */
  CHECKPOINT_LOST("M202", "checkpoint lost"),
  /** The definition of a query changed since its checkpoint was made. */
  QUERY_CHANGED("M203", "query changed"),
  /** Another process runs the query on the same local checkpoint. */
  CHECKPOINT_LOCKED("M204", "checkpoint locked"),
  /** Another job holds the lease of the same checkpoint on an object store. */
  CHECKPOINT_LEASED("M205", "checkpoint leased"),
  /** The lake's object store did not answer after S3A's retries. */
  STORAGE_UNREACHABLE("M301", "storage unreachable"),
  /** The pipeline spec cannot be used; the error names the file, line and key. */
  SPEC_INVALID("M401", "spec invalid");

  private final String code;
  private final String title;

  ErrorCode(String code, String title) {
    this.code = code;
    this.title = title;
  }

  /** The code, such as {@code M204}. */
  public String code() {
    return code;
  }

  /** A few words naming the failure. */
  public String title() {
    return title;
  }

  /** The runbook section's address: {@code docs/reliability.md#m204-checkpoint-locked}. */
  public String runbook() {
    return "docs/reliability.md#" + (code + " " + title).toLowerCase(Locale.ROOT).replace(' ', '-');
  }
}
