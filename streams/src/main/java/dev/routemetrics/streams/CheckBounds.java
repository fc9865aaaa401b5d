package dev.routemetrics.streams;

import dev.routemetrics.events.QuarantineReason;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.processor.api.ContextualFixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets aside, before anything stateful sees it, an event outside the bounds the fold relies on
 * ({@link EventChecks}) or dated further ahead of the wall clock than the edge allows. It must come
 * first: the deduplication store forgets ids by the newest time it was given, and the lateness gate
 * judges against its family's newest time, so one record dated years ahead (written past the edge)
 * made every id before it forgettable and every event after it too late. ChannelMetricsIT's poison
 * case caught the first: a record stamped a week past the simulated day let duplicates count twice.
 *
 * <p>The future bound reads the wall clock, so a rebuild long after may count an event the live run
 * set aside as too far ahead; nothing the live run counted is ever set aside by a rebuild.
 */
final class CheckBounds<V> extends ContextualFixedKeyProcessor<String, V, Routed<V>> {

  private static final Logger log = LoggerFactory.getLogger(CheckBounds.class);

  private final String family;
  private final Function<V, String> outOfBounds;
  private final Function<V, Instant> timeOf;
  private final Function<V, byte[]> encode;
  private final Function<V, String> idOf;
  private final Function<V, String> channelOf;
  private final DroppedRecords dropped;
  private final LongSupplier wallClock;

  CheckBounds(
      String family,
      Function<V, String> outOfBounds,
      Function<V, Instant> timeOf,
      Function<V, byte[]> encode,
      Function<V, String> idOf,
      Function<V, String> channelOf,
      DroppedRecords dropped,
      LongSupplier wallClock) {
    this.family = family;
    this.outOfBounds = outOfBounds;
    this.timeOf = timeOf;
    this.encode = encode;
    this.idOf = idOf;
    this.channelOf = channelOf;
    this.dropped = dropped;
    this.wallClock = wallClock;
  }

  @Override
  public void process(FixedKeyRecord<String, V> record) {
    V event = record.value();
    String why = outOfBounds.apply(event);
    if (why == null) {
      Instant latest =
          Instant.ofEpochMilli(wallClock.getAsLong()).plus(EventChecks.MAX_FUTURE_SKEW);
      if (timeOf.apply(event).isAfter(latest)) {
        why =
            "event_time "
                + timeOf.apply(event)
                + " is more than "
                + EventChecks.MAX_FUTURE_SKEW.toHours()
                + " hours ahead of this processor's clock";
      }
    }
    if (why == null) {
      context().forward(record.withValue(Routed.counted(event)));
      return;
    }
    log.warn("{} event {} set aside as out of bounds: {}", family, idOf.apply(event), why);
    dropped.count(DroppedRecords.OUT_OF_BOUNDS);
    context()
        .forward(
            record
                .withValue(
                    Routed.<V>quarantined(
                        Quarantine.record(
                            idOf.apply(event),
                            family,
                            channelOf.apply(event),
                            timeOf.apply(event).toEpochMilli(),
                            QuarantineReason.OUT_OF_BOUNDS,
                            why,
                            encode.apply(event))))
                .withHeaders(Quarantine.withSource(record.headers(), context().recordMetadata())));
  }
}
