package io.medallion.core.lake;

import java.util.List;

/** The platform's own tables, under {@code _system}: what it recorded, for people and tools. */
public final class SystemTables {
  /** Per silver batch: bronze rows read, accepted, quarantined, duplicates, dropped. */
  public static final TableRef RECONCILIATION = TableRef.of(Layer.SYSTEM, "reconciliation");

  /** Per silver batch and rule: rows passed and failed. */
  public static final TableRef EXPECTATION_RESULTS =
      TableRef.of(Layer.SYSTEM, "expectation_results");

  /** Slices of streaming gold tables that late events touched, until corrected. */
  public static final TableRef GOLD_LATE_SLICES = TableRef.of(Layer.SYSTEM, "gold_late_slices");

  /** The event log. */
  public static final TableRef EVENTS = TableRef.of(Layer.SYSTEM, "events");

  /** Every system table queries may read, in this order. */
  public static final List<TableRef> ALL =
      List.of(RECONCILIATION, EXPECTATION_RESULTS, GOLD_LATE_SLICES, EVENTS);

  private SystemTables() {}
}
