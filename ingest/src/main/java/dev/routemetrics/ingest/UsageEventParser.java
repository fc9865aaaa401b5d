package dev.routemetrics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Turns one JSON usage event into the Avro record, or says every field that is wrong with it. */
public final class UsageEventParser {

  private final ChannelRegistry registry;
  private final Clock clock;
  private final Duration maxFutureSkew;

  public UsageEventParser(ChannelRegistry registry, Clock clock, Duration maxFutureSkew) {
    this.registry = registry;
    this.clock = clock;
    this.maxFutureSkew = maxFutureSkew;
  }

  public UsageEvent parse(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new InvalidEventException(java.util.List.of(new FieldError("$", "must be a JSON object")));
    }
    FieldReader in = new FieldReader(json);
    String eventId = in.requiredId("event_id");
    Instant eventTime = in.requiredInstant("event_time");
    String channelId = in.requiredId("channel_id");
    String accountId = in.requiredId("account_id");
    String endUserRef = in.optionalId("end_user_ref");
    String modelId = in.requiredId("model_id");
    String requestId = in.requiredId("request_id");
    Long requestCount = in.integer("request_count", 1, Integer.MAX_VALUE, 1L);
    Long inputTokens = in.integer("input_tokens", 0, Long.MAX_VALUE, null);
    Long outputTokens = in.integer("output_tokens", 0, Long.MAX_VALUE, null);
    Long latencyMs = in.integer("latency_ms", 0, Integer.MAX_VALUE, null);
    Outcome outcome = in.enumValue("outcome", Outcome.class, null);
    TelemetryLevel telemetry = in.enumValue("telemetry", TelemetryLevel.class, null);

    if (channelId != null && registry.find(channelId).isEmpty()) {
      in.reject("channel_id", "unknown channel '" + channelId + "'");
    }
    if (eventTime != null && eventTime.isAfter(clock.instant().plus(maxFutureSkew))) {
      in.reject("event_time", "is in the future (" + eventTime + " is more than " + maxFutureSkew.toSeconds()
          + " s ahead of the server clock)");
    }
    if (!in.errors().isEmpty()) {
      throw new InvalidEventException(in.errors());
    }
    return UsageEvent.newBuilder()
        .setEventId(eventId)
        .setEventTime(eventTime)
        .setChannelId(channelId)
        .setAccountId(accountId)
        .setEndUserRef(endUserRef)
        .setModelId(modelId)
        .setRequestId(requestId)
        .setRequestCount(requestCount.intValue())
        .setInputTokens(inputTokens)
        .setOutputTokens(outputTokens)
        .setLatencyMs(latencyMs.intValue())
        .setOutcome(outcome)
        .setTelemetry(telemetry)
        .build();
  }
}
