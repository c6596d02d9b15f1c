package io.medallion.core.events;

/**
 * Where a job's writers record what they did: the job's {@link EventLog}, or nowhere for callers
 * that keep no log (a test refining one batch).
 */
public interface EventSink {
  /** Records nothing. */
  EventSink NONE =
      new EventSink() {
        @Override
        public void add(Event event) {}

        @Override
        public void output(String query, long batchId, long rows) {}
      };

  /** Records an event. */
  void add(Event event);

  /** Tells the sink how many rows a query's batch wrote, for that batch's event. */
  void output(String query, long batchId, long rows);
}
