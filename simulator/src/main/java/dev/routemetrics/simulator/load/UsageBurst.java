package dev.routemetrics.simulator.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.Route;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.registry.Channel;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.simulator.EventJson;
import dev.routemetrics.simulator.traffic.Delivery;
import dev.routemetrics.simulator.traffic.Family;
import dev.routemetrics.simulator.traffic.Injection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The load tools' and the end-to-end tests' traffic: a short, seeded burst of distinct usage events
 * over every channel of the registry, shaped by route (direct routes see end users and full
 * telemetry, cloud partners report aggregates without end users, internal platforms hide their
 * users), with no faults, so what it implies is one sum: requests per channel. A realistic day,
 * with billing, feedback, late and broken records, is {@link
 * dev.routemetrics.simulator.traffic.TrafficSimulator}'s; both post through {@link
 * dev.routemetrics.simulator.output.HttpEventSink}.
 */
public final class UsageBurst {

  /** One usage event of the burst. */
  public record Event(UsageEvent usage) {

    public String channelId() {
      return usage.getChannelId();
    }

    public int requestCount() {
      return usage.getRequestCount();
    }

    /** As the ingest API takes it (JSON field names). */
    public ObjectNode json() {
      return EventJson.toTree(usage);
    }

    /** As the simulator's sinks take it: an original delivery, arriving when it happened. */
    public Delivery delivery(long sequence) {
      return new Delivery(
          usage.getEventTime().toEpochMilli(),
          sequence,
          Family.USAGE,
          Injection.ORIGINAL,
          usage.getEventId(),
          usage,
          null);
    }
  }

  private final ChannelRegistry registry;
  private final long seed;

  public UsageBurst(ChannelRegistry registry, long seed) {
    this.registry = registry;
    this.seed = seed;
  }

  /**
   * {@code perChannel} events on each channel, spread over the minute windows after {@code start}.
   */
  public List<Event> generate(Instant start, int perChannel, int minutes) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Event> events = new ArrayList<>();
    for (Channel channel : registry.channels()) {
      for (int i = 0; i < perChannel; i++) {
        Instant at = start.plusMillis(random.nextLong(minutes * 60_000L));
        events.add(event(channel, i, start, at, random));
      }
    }
    return events;
  }

  /** The burst's events as deliveries, in the order generated. */
  public static List<Delivery> deliveries(List<Event> events) {
    List<Delivery> deliveries = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      deliveries.add(events.get(i).delivery(i));
    }
    return deliveries;
  }

  /** Requests per channel the burst implies: the sum of request_count over its distinct events. */
  public static Map<String, Long> expectedRequests(List<Event> events) {
    Map<String, Long> expected = new LinkedHashMap<>();
    events.forEach(e -> expected.merge(e.channelId(), (long) e.requestCount(), Long::sum));
    return expected;
  }

  private Event event(
      Channel channel, int index, Instant start, Instant at, SplittableRandom random) {
    Route route = channel.route();
    boolean aggregate = route == Route.CLOUD_PARTNER;
    boolean hidesEndUser =
        aggregate || route == Route.INTERNAL_PLATFORM || route == Route.MARKETPLACE;
    int requestCount = aggregate ? 50 + random.nextInt(200) : 1;
    // The burst's start is part of the id: a later burst is new traffic, not a replay of this one.
    String id = channel.id() + "-" + start.getEpochSecond() + "-" + seed + "-" + index;
    // Drawn in this order, so a seed gives the same burst it always did.
    String accountId =
        channel.partnerId() != null && hidesEndUser
            ? channel.partnerId()
            : "acct-" + random.nextInt(40);
    String endUserRef = hidesEndUser ? null : "user-" + random.nextInt(500);
    String modelId = random.nextInt(4) == 0 ? "frontier-large" : "frontier-fast";
    long inputTokens = (long) requestCount * (200 + random.nextInt(1_800));
    long outputTokens = (long) requestCount * (50 + random.nextInt(600));
    int latencyMs = 300 + random.nextInt(2_500);
    int roll = random.nextInt(100);
    Outcome outcome =
        roll < 2
            ? Outcome.SERVER_ERROR
            : roll < 5 ? Outcome.CLIENT_ERROR : roll < 6 ? Outcome.RATE_LIMITED : Outcome.SUCCESS;
    TelemetryLevel telemetry =
        aggregate
            ? TelemetryLevel.NONE
            : route == Route.CONSUMER_APP || route == Route.DIRECT_API
                ? TelemetryLevel.FULL
                : TelemetryLevel.METADATA;
    return new Event(
        UsageEvent.newBuilder()
            .setEventId(id)
            .setEventTime(at)
            .setChannelId(channel.id())
            .setAccountId(accountId)
            .setEndUserRef(endUserRef)
            .setModelId(modelId)
            .setRequestId("req-" + id)
            .setRequestCount(requestCount)
            .setInputTokens(inputTokens)
            .setOutputTokens(outputTokens)
            .setLatencyMs(latencyMs)
            .setOutcome(outcome)
            .setTelemetry(telemetry)
            .build());
  }
}
