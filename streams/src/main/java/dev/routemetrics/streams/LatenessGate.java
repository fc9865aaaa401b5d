package dev.routemetrics.streams;

import dev.routemetrics.events.QuarantineReason;
import dev.routemetrics.events.QuarantinedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.ContextualFixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets aside events older than the lateness bound behind their family's stream time, with their
 * reason. Everything downstream keeps its windows open longer than the bound (the metric tallies:
 * bound + feedback horizon + 1 day), so an event that passes here is not dropped there.
 *
 * <p>Its stream time is its own: the newest event_time this family has shown on this partition,
 * kept in a changelogged store so it commits with the input offsets. The task's stream time would
 * not do: usage and feedback share a task (they merge on the way to the join), and when a backlog
 * is read the task may run ahead on feedback dated days after the requests, which set aside usage
 * that was in time. The family's own stream time depends on that partition's order alone, so a
 * replay or a rebuild sets aside the same events.
 */
final class LatenessGate<V> extends ContextualFixedKeyProcessor<String, V, Routed<V>> {

  private static final Logger log = LoggerFactory.getLogger(LatenessGate.class);
  private static final String NEWEST = "newest-event-time";

  private final Duration lateness;
  private final String family;
  private final String storeName;
  private final Function<V, byte[]> encode;
  private final Function<V, String> idOf;
  private final Function<V, String> channelOf;
  private final DroppedRecords dropped;
  private KeyValueStore<String, Long> newestStore;
  private long newest = Long.MIN_VALUE;

  LatenessGate(
      Duration lateness,
      String family,
      String storeName,
      Function<V, byte[]> encode,
      Function<V, String> idOf,
      Function<V, String> channelOf,
      DroppedRecords dropped) {
    this.dropped = dropped;
    this.lateness = lateness;
    this.family = family;
    this.storeName = storeName;
    this.encode = encode;
    this.idOf = idOf;
    this.channelOf = channelOf;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Routed<V>> context) {
    super.init(context);
    newestStore = context.getStateStore(storeName);
    Long restored = newestStore.get(NEWEST);
    newest = restored == null ? Long.MIN_VALUE : restored;
  }

  @Override
  public void process(FixedKeyRecord<String, V> record) {
    long time = record.timestamp();
    if (time > newest) {
      newest = time;
      newestStore.put(NEWEST, time);
    }
    if (time >= newest - lateness.toMillis()) {
      context().forward(record.withValue(Routed.counted(record.value())));
      return;
    }
    String eventId = idOf.apply(record.value());
    String detail =
        "event_time "
            + Instant.ofEpochMilli(time)
            + " is more than "
            + lateness.toDays()
            + " days behind the newest "
            + family.toLowerCase(java.util.Locale.ROOT)
            + " event_time seen, "
            + Instant.ofEpochMilli(newest);
    log.warn("{} event {} set aside as too late: {}", family, eventId, detail);
    dropped.count(DroppedRecords.TOO_LATE);
    context()
        .forward(
            record
                .withValue(
                    Routed.<V>quarantined(quarantined(record, QuarantineReason.TOO_LATE, detail)))
                .withHeaders(Quarantine.withSource(record.headers(), context().recordMetadata())));
  }

  private QuarantinedEvent quarantined(
      FixedKeyRecord<String, V> record, QuarantineReason reason, String detail) {
    return Quarantine.record(
        idOf.apply(record.value()),
        family,
        channelOf.apply(record.value()),
        record.timestamp(),
        reason,
        detail,
        encode.apply(record.value()));
  }
}
