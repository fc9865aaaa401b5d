package dev.routemetrics.query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Operators' trend: per window and channel over the range, requests, request share, error rate and
 * p95 latency, so a channel's traffic falling during a latency incident shows as lines. Request
 * share is the channel's requests over all channels' requests in the same window (docs/domain.md),
 * so a channel filter picks points out of the whole computation; over a partner's rows alone it
 * would compare the partner with itself, so a partner's read has it null (as reach-control is not a
 * partner's).
 */
public final class Trend {

  /** One channel in one window. */
  public record Point(
      Instant windowStart,
      String channelId,
      String route,
      long requests,
      Double requestShare,
      Double errorRate,
      Double latencyP95Ms) {}

  private Trend() {}

  /**
   * @param usage every channel's rows of the range (not only the channels asked for)
   * @param withShare false for a partner's read: request share is then null
   */
  public static List<Point> compute(List<ChannelWindow.Usage> usage, boolean withShare) {
    Map<Instant, List<ChannelWindow.Usage>> byWindow =
        usage.stream()
            .collect(
                Collectors.groupingBy(
                    ChannelWindow.Usage::windowStart, TreeMap::new, Collectors.toList()));
    List<Point> points = new ArrayList<>();
    for (List<ChannelWindow.Usage> window : byWindow.values()) {
      long total = window.stream().mapToLong(ChannelWindow.Usage::requests).sum();
      window.stream()
          .sorted((a, b) -> a.channelId().compareTo(b.channelId()))
          .forEach(
              u ->
                  points.add(
                      new Point(
                          u.windowStart(),
                          u.channelId(),
                          u.route(),
                          u.requests(),
                          withShare ? ChannelWindow.ratio(u.requests(), total) : null,
                          u.errorRate(),
                          u.latencyP95Ms())));
    }
    return points;
  }
}
