package dev.routemetrics.query;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Operators' channel health over a recent range, by route and channel: traffic, error rate, the
 * worst window's p95 latency, and freshness (now − newest event time). A channel is unhealthy when
 * its error rate or its freshness passes a bound.
 */
public final class Health {

  /** One channel over the range. */
  public record Row(
      String route,
      String channelId,
      long requests,
      Double errorRate,
      Double worstP95Ms,
      Instant newestEventTime,
      Long freshnessSeconds,
      boolean unhealthy,
      String why) {}

  /** When a channel counts as unhealthy. */
  public record Bounds(double maxErrorRate, Duration maxFreshness) {
    public static final Bounds DEFAULT = new Bounds(0.05, Duration.ofMinutes(15));
  }

  private Health() {}

  public static List<Row> compute(List<ChannelWindow.Usage> usage, Instant now, Bounds bounds) {
    Map<String, List<ChannelWindow.Usage>> byChannel = new LinkedHashMap<>();
    usage.stream()
        .sorted((a, b) -> (a.route() + a.channelId()).compareTo(b.route() + b.channelId()))
        .forEach(u -> byChannel.computeIfAbsent(u.channelId(), k -> new ArrayList<>()).add(u));
    List<Row> rows = new ArrayList<>();
    for (List<ChannelWindow.Usage> windows : byChannel.values()) {
      long requests = windows.stream().mapToLong(ChannelWindow.Usage::requests).sum();
      long errors = windows.stream().mapToLong(ChannelWindow.Usage::errorRequests).sum();
      Double worstP95 =
          windows.stream()
              .map(ChannelWindow.Usage::latencyP95Ms)
              .filter(v -> v != null)
              .max(Double::compare)
              .orElse(null);
      Instant newest =
          windows.stream()
              .map(ChannelWindow.Usage::newestEventTime)
              .filter(v -> v != null)
              .max(Instant::compareTo)
              .orElse(null);
      Long freshness = newest == null ? null : Duration.between(newest, now).toSeconds();
      Double errorRate = ChannelWindow.ratio(errors, requests);
      List<String> why = new ArrayList<>();
      if (errorRate != null && errorRate > bounds.maxErrorRate()) {
        why.add(
            String.format(
                "error rate %.1f%% > %.1f%%", errorRate * 100, bounds.maxErrorRate() * 100));
      }
      if (freshness == null || freshness > bounds.maxFreshness().toSeconds()) {
        why.add(
            freshness == null
                ? "no events"
                : "no event for " + freshness + " s > " + bounds.maxFreshness().toSeconds() + " s");
      }
      ChannelWindow.Usage first = windows.get(0);
      rows.add(
          new Row(
              first.route(),
              first.channelId(),
              requests,
              errorRate,
              worstP95,
              newest,
              freshness,
              !why.isEmpty(),
              String.join("; ", why)));
    }
    return rows;
  }
}
