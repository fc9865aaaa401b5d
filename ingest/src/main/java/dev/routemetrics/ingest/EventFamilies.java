package dev.routemetrics.ingest;

import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The event families the edge and the loader accept, each validated against the same registry and
 * clock.
 */
public final class EventFamilies {

  private EventFamilies() {}

  public static List<EventFamily<?>> of(
      ChannelRegistry registry, Clock clock, Duration maxFutureSkew) {
    UsageEventParser usage = new UsageEventParser(registry, clock, maxFutureSkew);
    BillingEventParser billing = new BillingEventParser(registry, clock, maxFutureSkew);
    FeedbackEventParser feedback = new FeedbackEventParser(registry, clock, maxFutureSkew);
    return List.of(
        new AvroFamily<>(
            "usage",
            UsageEvent.class,
            t -> t.usageEvents,
            usage::parse,
            UsageEvent::getEventId,
            UsageEvent::getChannelId,
            UsageEvent::getEventTime),
        new AvroFamily<>(
            "billing",
            BillingEvent.class,
            t -> t.billingEvents,
            billing::parse,
            BillingEvent::getEventId,
            BillingEvent::getChannelId,
            BillingEvent::getEventTime),
        new AvroFamily<>(
            "feedback",
            FeedbackEvent.class,
            t -> t.feedbackEvents,
            feedback::parse,
            FeedbackEvent::getEventId,
            FeedbackEvent::getChannelId,
            FeedbackEvent::getEventTime));
  }

  public static EventFamily<?> named(
      String name, ChannelRegistry registry, Clock clock, Duration maxFutureSkew) {
    return of(registry, clock, maxFutureSkew).stream()
        .filter(f -> f.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new NoSuchElementException(
                    "unknown event family '" + name + "'; one of usage, billing, feedback"));
  }
}
