package dev.routemetrics.streams;

/**
 * What the coverage join needs of an event, on its way there in a {@link JoinBatch}: of a usage
 * event its channel, time and request count; of a feedback event naming a request its time and
 * whether it is trainable. Nothing else of the event crosses the shuffle.
 */
sealed interface JoinEntry {

  long time();

  record Request(String channelId, long time, int requestCount) implements JoinEntry {}

  record Feedback(long time, boolean trainable) implements JoinEntry {}

  /** Kinds in a batch's serialized form. */
  byte REQUEST = 'R';

  byte FEEDBACK = 'F';
}
