package dev.routemetrics.streams;

import dev.routemetrics.events.QuarantineReason;
import dev.routemetrics.events.QuarantinedEvent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.ContextualFixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets aside events older than the lateness bound behind stream time, with their reason. Everything
 * downstream keeps its windows open longer than the bound (the DSL minute windows: bound + 1 h of
 * grace, in the same task; the metric tallies:
 * bound + feedback horizon + 1 day), so an event that passes here is not dropped there.
 *
 * <p>It keeps the key (a fixed-key processor), so the minute windows downstream group in the same
 * task, on the same stream time, without another repartition.
 */
final class LatenessGate<V> extends ContextualFixedKeyProcessor<String, V, Routed<V>> {

  private static final Logger log = LoggerFactory.getLogger(LatenessGate.class);

  private final Duration lateness;
  private final String family;
  private final Function<V, byte[]> encode;
  private final Function<V, String> idOf;

  LatenessGate(Duration lateness, String family, Function<V, byte[]> encode, Function<V, String> idOf) {
    this.lateness = lateness;
    this.family = family;
    this.encode = encode;
    this.idOf = idOf;
  }

  @Override
  public void process(FixedKeyRecord<String, V> record) {
    long streamTime = context().currentStreamTimeMs();
    if (record.timestamp() >= streamTime - lateness.toMillis()) {
      context().forward(record.withValue(Routed.counted(record.value())));
      return;
    }
    String eventId = idOf.apply(record.value());
    String detail = "event_time " + Instant.ofEpochMilli(record.timestamp()) + " is more than " + lateness.toDays()
        + " days behind stream time " + Instant.ofEpochMilli(streamTime);
    log.warn("{} event {} set aside as too late: {}", family, eventId, detail);
    context().forward(record.withValue(Routed.<V>quarantined(QuarantinedEvent.newBuilder()
        .setEventId(eventId)
        .setFamily(family)
        .setChannelId(record.key())
        .setEventTime(Instant.ofEpochMilli(record.timestamp()))
        .setReason(QuarantineReason.TOO_LATE)
        .setDetail(detail)
        .setPayload(ByteBuffer.wrap(encode.apply(record.value())))
        .build())));
  }
}
