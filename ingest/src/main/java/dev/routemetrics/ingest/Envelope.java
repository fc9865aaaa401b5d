package dev.routemetrics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routemetrics.schemas.EventBounds;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The fields every event family shares (docs/domain.md#events), read and checked the same way for
 * all.
 */
record Envelope(
    String eventId,
    Instant eventTime,
    String channelId,
    String accountId,
    String endUserRef,
    String modelId) {

  /**
   * Checks an envelope against the registry (known channel) and the clock: event_time between
   * {@link EventBounds#MIN_TIME} and the clock plus {@code maxFutureSkew}, which is never more than
   * {@link EventBounds#MAX_FUTURE_SKEW}.
   */
  record Rules(ChannelRegistry registry, Clock clock, Duration maxFutureSkew) {

    Rules {
      if (maxFutureSkew.isNegative()) {
        throw new IllegalArgumentException(
            "the future skew must not be negative, was " + maxFutureSkew);
      }
      if (maxFutureSkew.compareTo(EventBounds.MAX_FUTURE_SKEW) > 0) {
        maxFutureSkew = EventBounds.MAX_FUTURE_SKEW;
      }
    }

    /**
     * Reads a time that is not an event time (a billing period's ends): within [MIN_TIME, now +
     * MAX_FUTURE_SKEW].
     */
    Instant periodInstant(FieldReader in, String field) {
      return in.requiredInstant(
          field, clock.instant().plus(EventBounds.MAX_FUTURE_SKEW), EventBounds.MAX_FUTURE_SKEW);
    }

    /** A reader over one JSON event, refusing at once anything that is not a JSON object. */
    FieldReader open(JsonNode json) {
      if (json == null || !json.isObject()) {
        throw new InvalidEventException(List.of(new FieldError("$", "must be a JSON object")));
      }
      return new FieldReader(json);
    }

    Envelope read(FieldReader in) {
      Envelope envelope =
          new Envelope(
              in.requiredId("event_id"),
              in.requiredInstant("event_time", clock.instant().plus(maxFutureSkew), maxFutureSkew),
              in.requiredId("channel_id"),
              in.requiredId("account_id"),
              in.optionalId("end_user_ref"),
              in.requiredId("model_id"));
      if (envelope.channelId() != null && registry.find(envelope.channelId()).isEmpty()) {
        in.reject("channel_id", "unknown channel '" + envelope.channelId() + "'");
      }
      return envelope;
    }
  }
}
