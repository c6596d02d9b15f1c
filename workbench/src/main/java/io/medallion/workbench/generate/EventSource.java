package io.medallion.workbench.generate;

/** Records to produce, one after the other, reproducibly for the same settings. */
public interface EventSource {
  /** Whether more records remain. */
  boolean hasNext();

  /** The next record; its {@link GeneratedEvent#topic()} is a source name of the spec. */
  GeneratedEvent next();
}
