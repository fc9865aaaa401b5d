package dev.routemetrics.simulator;

import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.Route;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.schemas.registry.Channel;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A short, seeded burst of usage over every channel of the registry, shaped by route: direct routes
 * see end users and full telemetry, cloud partners report aggregates without end users, internal
 * platforms hide their users. It also says what it implies: requests per channel.
 */
public final class UsageBurst {

  /** One usage event as the ingest API takes it (JSON field names). */
  public record Event(Map<String, Object> json, String channelId, int requestCount) {}

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
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("event_id", id);
    json.put("event_time", at.toString());
    json.put("channel_id", channel.id());
    json.put(
        "account_id",
        channel.partnerId() != null && hidesEndUser
            ? channel.partnerId()
            : "acct-" + random.nextInt(40));
    json.put("end_user_ref", hidesEndUser ? null : "user-" + random.nextInt(500));
    json.put("model_id", random.nextInt(4) == 0 ? "frontier-large" : "frontier-fast");
    json.put("request_id", "req-" + id);
    json.put("request_count", requestCount);
    json.put("input_tokens", (long) requestCount * (200 + random.nextInt(1_800)));
    json.put("output_tokens", (long) requestCount * (50 + random.nextInt(600)));
    json.put("latency_ms", 300 + random.nextInt(2_500));
    int roll = random.nextInt(100);
    json.put(
        "outcome",
        (roll < 2
                ? Outcome.SERVER_ERROR
                : roll < 5
                    ? Outcome.CLIENT_ERROR
                    : roll < 6 ? Outcome.RATE_LIMITED : Outcome.SUCCESS)
            .name());
    json.put(
        "telemetry",
        (aggregate
                ? TelemetryLevel.NONE
                : route == Route.CONSUMER_APP || route == Route.DIRECT_API
                    ? TelemetryLevel.FULL
                    : TelemetryLevel.METADATA)
            .name());
    return new Event(json, channel.id(), requestCount);
  }
}
