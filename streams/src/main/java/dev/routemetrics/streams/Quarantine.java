package dev.routemetrics.streams;

import dev.routemetrics.events.QuarantineReason;
import dev.routemetrics.events.QuarantinedEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The one way a stage of the topology writes down an event it sets aside: what it was, why, and its
 * bytes, so the warehouse's quarantine view can show it and a person can replay it.
 */
final class Quarantine {

  /**
   * The header of a quarantine record that says where the set-aside copy was read: {@code
   * topic/partition@offset} of the topology's input (an event topic, or the repartition topic of a
   * record that was not keyed by its event_id). The warehouse matches it against each copy's place
   * in its event topic (event_arrivals) to tell a too-late copy of a counted event from a late
   * event that was never counted (docs/domain.md, "Lateness").
   */
  static final String SOURCE_HEADER = "routemetrics.source";

  private Quarantine() {}

  /**
   * {@code headers} with {@link #SOURCE_HEADER} set to {@code source} (left out when the record has
   * no metadata).
   */
  static Headers withSource(Headers headers, Optional<RecordMetadata> source) {
    Headers out = new RecordHeaders(headers.toArray());
    out.remove(SOURCE_HEADER);
    source.ifPresent(
        m ->
            out.add(
                SOURCE_HEADER,
                (m.topic() + "/" + m.partition() + "@" + m.offset())
                    .getBytes(StandardCharsets.UTF_8)));
    return out;
  }

  /**
   * A quarantine record. Its event_time is clamped into the storable range (1970 to 2105,
   * ClickHouse 18.16's DateTime): an event set aside for its time must still land in
   * quarantined_events, and the exact time stays in the detail and the payload.
   */
  static QuarantinedEvent record(
      String eventId,
      String family,
      String channelId,
      long eventTimeMillis,
      QuarantineReason reason,
      String detail,
      byte[] payload) {
    long storable =
        Math.min(
            Math.max(eventTimeMillis, EventChecks.EARLIEST.toEpochMilli()),
            EventChecks.LATEST.toEpochMilli());
    return QuarantinedEvent.newBuilder()
        .setEventId(eventId)
        .setFamily(family)
        .setChannelId(channelId)
        .setEventTime(Instant.ofEpochMilli(storable))
        .setReason(reason)
        .setDetail(detail)
        .setPayload(ByteBuffer.wrap(payload))
        .build();
  }
}
