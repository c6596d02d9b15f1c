package io.medallion.jobs.catalog;

/**
 * Keeps an outside catalog in step with the lake while a command runs ({@link
 * CatalogTarget#start}): every table of the spec that exists is registered, and registered again
 * when its schema changed. Closing it registers what the run created or changed last, and fails if
 * the catalog could not be written.
 */
public interface CatalogSync extends AutoCloseable {
  /** Registers what the run left unregistered. */
  @Override
  void close();

  /** No outside catalog: the tables are found by path, and by name in the session's catalog. */
  static CatalogSync none() {
    return () -> {};
  }
}
