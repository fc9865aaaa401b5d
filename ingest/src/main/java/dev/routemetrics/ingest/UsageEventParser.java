package dev.routemetrics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.EventBounds;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.time.Clock;
import java.time.Duration;

/** Turns one JSON usage event into the Avro record, or says every field that is wrong with it. */
public final class UsageEventParser {

  private final Envelope.Rules envelope;

  public UsageEventParser(ChannelRegistry registry, Clock clock, Duration maxFutureSkew) {
    this.envelope = new Envelope.Rules(registry, clock, maxFutureSkew);
  }

  public UsageEvent parse(JsonNode json) {
    FieldReader in = envelope.open(json);
    Envelope e = envelope.read(in);
    String requestId = in.requiredId("request_id");
    Long requestCount =
        in.integer(
            "request_count", EventBounds.MIN_REQUEST_COUNT, EventBounds.MAX_REQUEST_COUNT, 1L);
    Long inputTokens = in.integer("input_tokens", 0, EventBounds.MAX_TOKENS, null);
    Long outputTokens = in.integer("output_tokens", 0, EventBounds.MAX_TOKENS, null);
    Long latencyMs = in.integer("latency_ms", 0, EventBounds.MAX_LATENCY_MS, null);
    Outcome outcome = in.enumValue("outcome", Outcome.class, null);
    TelemetryLevel telemetry = in.enumValue("telemetry", TelemetryLevel.class, null);
    if (!in.errors().isEmpty()) {
      throw new InvalidEventException(in.errors());
    }
    return UsageEvent.newBuilder()
        .setEventId(e.eventId())
        .setEventTime(e.eventTime())
        .setChannelId(e.channelId())
        .setAccountId(e.accountId())
        .setEndUserRef(e.endUserRef())
        .setModelId(e.modelId())
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
