package io.medallion.jobs;

import io.medallion.jobs.cli.LakehouseCommand;

/**
 * The entry point of the {@code lakehouse} CLI and of {@code spark-submit}.
 *
 * <p>Usage: {@code spark-submit --class io.medallion.jobs.Main medallion-jobs-spark.jar ingest
 * --once --lake-root s3a://bucket/lake --bootstrap-servers HOST:PORT}
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int exit = LakehouseCommand.execute(args);
    if (!LakehouseCommand.shuttingDown()) {
      System.exit(exit);
    }
  }
}
