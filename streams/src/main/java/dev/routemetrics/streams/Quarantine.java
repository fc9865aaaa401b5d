package dev.routemetrics.streams;

import dev.routemetrics.events.QuarantineReason;
import dev.routemetrics.events.QuarantinedEvent;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * The one way a stage of the topology writes down an event it sets aside: what it was, why, and its
 * bytes, so the warehouse's quarantine view can show it and a person can replay it.
 */
final class Quarantine {

  private Quarantine() {}

  /**
   * A quarantine record. Its event_time is clamped into the storable range (1970 to 2105, ClickHouse
   * 18.16's DateTime): an event set aside for its time must still land in quarantined_events, and
   * the exact time stays in the detail and the payload.
   */
  static QuarantinedEvent record(String eventId, String family, String channelId, long eventTimeMillis,
      QuarantineReason reason, String detail, byte[] payload) {
    long storable = Math.min(Math.max(eventTimeMillis, EventChecks.EARLIEST.toEpochMilli()),
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
