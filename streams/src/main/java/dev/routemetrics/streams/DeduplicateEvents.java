package dev.routemetrics.streams;

import dev.routemetrics.events.QuarantineReason;
import dev.routemetrics.events.QuarantinedEvent;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly once in effect: the first event with an id passes; the same id with the same payload is
 * dropped (a retry or a replay); the same id with a different payload is a conflict, forwarded as a
 * {@link QuarantinedEvent} and never counted. Input must be keyed by event_id so that every copy of
 * an id meets the same store.
 *
 * <p>The store is a window store keyed by event_id at the event's event_time, with a retention of
 * the lateness bound plus a margin: ids older than that are dropped segment by segment as stream
 * time advances, so the store does not grow forever. An event that old is set aside as too late by
 * the lateness gate downstream anyway, so forgetting its id cannot let a copy be counted twice.
 */
final class DeduplicateEvents<V> extends ContextualProcessor<String, V, String, Routed<V>> {

  private static final Logger log = LoggerFactory.getLogger(DeduplicateEvents.class);

  private final String storeName;
  private final String family;
  private final Function<V, byte[]> encode;
  private final Function<V, String> channelOf;
  private final DroppedRecords dropped;
  private WindowStore<String, byte[]> seen;

  /** One per processor (one task, one thread): getInstance per event showed in the profile. */
  private final MessageDigest sha256 = newSha256();

  DeduplicateEvents(
      String storeName,
      String family,
      Function<V, byte[]> encode,
      Function<V, String> channelOf,
      DroppedRecords dropped) {
    this.dropped = dropped;
    this.storeName = storeName;
    this.family = family;
    this.encode = encode;
    this.channelOf = channelOf;
  }

  @Override
  public void init(
      org.apache.kafka.streams.processor.api.ProcessorContext<String, Routed<V>> context) {
    super.init(context);
    seen = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, V> record) {
    String eventId = record.key();
    byte[] payload = encode.apply(record.value());
    byte[] digest = sha256.digest(payload);
    byte[] first = firstDigest(eventId);
    if (first == null) {
      seen.put(eventId, digest, record.timestamp());
      context().forward(record.withValue(Routed.counted(record.value())));
    } else if (!Arrays.equals(first, digest)) {
      log.warn(
          "{} event {} conflicts with the one counted first (same event_id, different payload); set"
              + " aside",
          family,
          eventId);
      QuarantinedEvent conflict =
          Quarantine.record(
              eventId,
              family,
              channelOf.apply(record.value()),
              record.timestamp(),
              QuarantineReason.CONFLICT,
              "event_id already counted with a different payload",
              payload);
      dropped.count(DroppedRecords.CONFLICT);
      context()
          .forward(
              record
                  .withValue(Routed.<V>quarantined(conflict))
                  .withHeaders(
                      Quarantine.withSource(record.headers(), context().recordMetadata())));
    } else {
      // An identical copy is a retry or a replay: it was counted once already.
      log.debug("{} event {} is a copy of one counted already; dropped", family, eventId);
      dropped.count(DroppedRecords.DUPLICATE);
    }
  }

  /** Whatever event_time the first copy had: a conflicting copy may carry another one. */
  private byte[] firstDigest(String eventId) {
    try (WindowStoreIterator<byte[]> copies = seen.fetch(eventId, 0L, Long.MAX_VALUE)) {
      return copies.hasNext() ? copies.next().value : null;
    }
  }

  /** The store keeps a digest, not the payload: equality is all a later copy is checked for. */
  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
