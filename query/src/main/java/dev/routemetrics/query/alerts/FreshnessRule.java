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
 * (d) Freshness: a channel's newest event is more than {@code maxSeconds} old. Read from day
 * windows over {@code lookBackDays}, so a channel silent for longer than that drops out of the data
 * and its alert resolves; set the look-back past the longest silence you care about. The value is
 * the age in seconds.
 */
public final class FreshnessRule implements Rule {

  private final long maxSeconds;
  private final int lookBackDays;

  public FreshnessRule(long maxSeconds, int lookBackDays) {
    this.maxSeconds = maxSeconds;
    this.lookBackDays = lookBackDays;
  }

  @Override
  public String name() {
    return "freshness";
  }

  @Override
  public double threshold() {
    return maxSeconds;
  }

  @Override
  public String unit() {
    return "seconds";
  }

  @Override
  public List<Finding> evaluate(AlertInputs inputs, Instant now) throws Exception {
    Instant from = now.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(lookBackDays));
    TimeRange range = new TimeRange(WindowSize.DAY, from, now.plusSeconds(60), List.of());
    Map<String, Instant> newest = new TreeMap<>();
    for (ChannelWindow.Usage u : inputs.usage(range)) {
      if (u.newestEventTime() != null) {
        newest.merge(u.channelId(), u.newestEventTime(), (a, b) -> a.isAfter(b) ? a : b);
      }
    }
    List<Finding> findings = new ArrayList<>();
    newest.forEach(
        (channel, at) -> {
          long age = Duration.between(at, now).toSeconds();
          if (age > maxSeconds) {
            findings.add(
                new Finding(
                    channel,
                    (double) age,
                    String.format(
                        Locale.ROOT,
                        "%s: newest event at %s, %d s ago > %d s",
                        channel,
                        at,
                        age,
                        maxSeconds)));
          }
        });
    return findings;
  }
}
