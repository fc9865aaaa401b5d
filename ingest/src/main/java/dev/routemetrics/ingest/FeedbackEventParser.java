package dev.routemetrics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.FeedbackKind;
import dev.routemetrics.events.FeedbackSource;
import dev.routemetrics.schemas.EventBounds;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * Turns one JSON feedback event into the Avro record, or says every field that is wrong with it.
 */
public final class FeedbackEventParser {

  private final Envelope.Rules envelope;

  public FeedbackEventParser(ChannelRegistry registry, Clock clock, Duration maxFutureSkew) {
    this.envelope = new Envelope.Rules(registry, clock, maxFutureSkew);
  }

  public FeedbackEvent parse(JsonNode json) {
    FieldReader in = envelope.open(json);
    Envelope e = envelope.read(in);
    String feedbackId = in.requiredId("feedback_id");
    String requestId = in.optionalId("request_id");
    FeedbackKind kind = in.enumValue("kind", FeedbackKind.class, null);
    Long score = in.optionalInteger("score", EventBounds.MIN_SCORE, EventBounds.MAX_SCORE);
    Boolean trainable = in.bool("trainable");
    FeedbackSource source = in.enumValue("source", FeedbackSource.class, null);
    if (!in.errors().isEmpty()) {
      throw new InvalidEventException(in.errors());
    }
    return FeedbackEvent.newBuilder()
        .setEventId(e.eventId())
        .setEventTime(e.eventTime())
        .setChannelId(e.channelId())
        .setAccountId(e.accountId())
        .setEndUserRef(e.endUserRef())
        .setModelId(e.modelId())
        .setFeedbackId(feedbackId)
        .setRequestId(requestId)
        .setKind(kind)
        .setScore(score == null ? null : score.intValue())
        .setTrainable(trainable)
        .setSource(source)
        .build();
  }
}
