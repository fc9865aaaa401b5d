package dev.routemetrics.query.alerts;

import dev.routemetrics.query.ChannelWindow;
import dev.routemetrics.query.TimeRange;
import dev.routemetrics.schemas.windows.WindowSize;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * (b) Feedback coverage drop: a channel's coverage on one day (covered requests / requests) is
 * lower than its pooled coverage over the trailing days before it (sum of covered / sum of
 * requests) by more than {@code maxDrop}, as a fraction of the trailing coverage. The value is that
 * drop.
 *
 * <p>Coverage counts feedback arriving up to 7 days after a request, so a day's coverage keeps
 * growing after it ends; comparing today with last week would fire every morning. The day judged is
 * therefore {@code lagDays} days back (default 1, yesterday), and a day with fewer than {@code
 * minRequests} requests on either side is not judged.
 */
public final class FeedbackCoverageDropRule implements Rule {

  private final double maxDrop;
  private final int trailingDays;
  private final int lagDays;
  private final long minRequests;

  public FeedbackCoverageDropRule(double maxDrop, int trailingDays, int lagDays, long minRequests) {
    this.maxDrop = maxDrop;
    this.trailingDays = trailingDays;
    this.lagDays = lagDays;
    this.minRequests = minRequests;
  }

  @Override
  public String name() {
    return "feedback-coverage-drop";
  }

  @Override
  public double threshold() {
    return maxDrop;
  }

  @Override
  public String unit() {
    return "fraction";
  }

  @Override
  public List<Finding> evaluate(AlertInputs inputs, Instant now) throws Exception {
    Instant day = now.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(lagDays));
    Instant trailingFrom = day.minus(Duration.ofDays(trailingDays));
    TimeRange range =
        new TimeRange(WindowSize.DAY, trailingFrom, day.plus(Duration.ofDays(1)), List.of());
    Map<String, long[]> byChannel =
        new TreeMap<>(); // requests, covered on the day; requests, covered trailing
    for (ChannelWindow.Usage u : inputs.usage(range)) {
      long[] sums = byChannel.computeIfAbsent(u.channelId(), k -> new long[4]);
      int at = u.windowStart().equals(day) ? 0 : 2;
      sums[at] += u.requests();
      sums[at + 1] += u.coveredRequests();
    }
    List<Finding> findings = new ArrayList<>();
    byChannel.forEach(
        (channel, s) -> {
          if (s[0] < minRequests || s[2] < minRequests || s[3] == 0) {
            return;
          }
          double current = (double) s[1] / s[0];
          double trailing = (double) s[3] / s[2];
          double drop = (trailing - current) / trailing;
          if (drop > maxDrop) {
            findings.add(
                new Finding(
                    channel,
                    drop,
                    String.format(
                        Locale.ROOT,
                        "%s feedback coverage on %s is %.1f%% (%d/%d), %.0f%% below its %d-day"
                            + " coverage %.1f%% (%d/%d); bound %.0f%%",
                        channel,
                        day.toString().substring(0, 10),
                        current * 100,
                        s[1],
                        s[0],
                        drop * 100,
                        trailingDays,
                        trailing * 100,
                        s[3],
                        s[2],
                        maxDrop * 100)));
          }
        });
    return findings;
  }
}
