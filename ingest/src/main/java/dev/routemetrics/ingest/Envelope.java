package dev.routemetrics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The fields every event family shares (DOMAIN.md "Events"), read and checked the same way for all. */
record Envelope(String eventId, Instant eventTime, String channelId, String accountId, String endUserRef, String modelId) {

  /** Checks an envelope against the registry (known channel) and the clock (not in the future beyond the skew). */
  record Rules(ChannelRegistry registry, Clock clock, Duration maxFutureSkew) {

    /** A reader over one JSON event, refusing at once anything that is not a JSON object. */
    FieldReader open(JsonNode json) {
      if (json == null || !json.isObject()) {
        throw new InvalidEventException(List.of(new FieldError("$", "must be a JSON object")));
      }
      return new FieldReader(json);
    }

    Envelope read(FieldReader in) {
      Envelope envelope = new Envelope(in.requiredId("event_id"), in.requiredInstant("event_time"),
          in.requiredId("channel_id"), in.requiredId("account_id"), in.optionalId("end_user_ref"), in.requiredId("model_id"));
      if (envelope.channelId() != null && registry.find(envelope.channelId()).isEmpty()) {
        in.reject("channel_id", "unknown channel '" + envelope.channelId() + "'");
      }
      Instant eventTime = envelope.eventTime();
      if (eventTime != null && eventTime.isAfter(clock.instant().plus(maxFutureSkew))) {
        in.reject("event_time", "is in the future (" + eventTime + " is more than " + maxFutureSkew.toSeconds()
            + " s ahead of the server clock)");
      }
      return envelope;
    }
  }
}
