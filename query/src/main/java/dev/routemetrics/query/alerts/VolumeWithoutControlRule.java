package dev.routemetrics.query.alerts;

import dev.routemetrics.query.ReachControl;
import dev.routemetrics.query.TimeRange;
import dev.routemetrics.schemas.windows.WindowSize;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * (a) Volume without control: a channel flagged (docs/domain.md: top quartile of request share,
 * control score below 0.34) in the latest window of the given size that has data within the
 * look-back. The value is the channel's control score.
 */
public final class VolumeWithoutControlRule implements Rule {

  private final WindowSize window;
  private final int lookBackWindows;

  public VolumeWithoutControlRule(WindowSize window, int lookBackWindows) {
    this.window = window;
    this.lookBackWindows = lookBackWindows;
  }

  @Override
  public String name() {
    return "volume-without-control";
  }

  @Override
  public double threshold() {
    return ReachControl.LOW_CONTROL;
  }

  @Override
  public String unit() {
    return "control score";
  }

  @Override
  public List<Finding> evaluate(AlertInputs inputs, Instant now) throws Exception {
    Duration length = window.duration();
    TimeRange range =
        new TimeRange(
            window,
            now.minus(length.multipliedBy(lookBackWindows)),
            now.plusSeconds(60),
            List.of());
    return ReachControl.compute(inputs.usage(range), inputs.revenue(range)).stream()
        .max(Comparator.comparing(ReachControl.Window::windowStart))
        .map(
            latest ->
                latest.channels().stream()
                    .filter(ReachControl.Row::volumeWithoutControl)
                    .map(
                        r ->
                            new Finding(
                                r.channelId(),
                                r.controlScore(),
                                String.format(
                                    Locale.ROOT,
                                    "%s has %.1f%% of requests (top quartile) with control score"
                                        + " %.2f < %.2f in the %s window from %s",
                                    r.channelId(),
                                    r.requestShare() * 100,
                                    r.controlScore(),
                                    ReachControl.LOW_CONTROL,
                                    window.name().toLowerCase(Locale.ROOT),
                                    r.windowStart())))
                    .toList())
        .orElse(List.of());
  }
}
