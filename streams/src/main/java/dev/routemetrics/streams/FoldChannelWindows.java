package dev.routemetrics.streams;

import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Folds contributions (keyed by channel) into the channel's MINUTE, HOUR and DAY windows and emits
 * {@link ChannelWindowMetrics} keyed {@code channel|SIZE|windowStartMillis}. Usage and feedback land
 * in the windows of their own event_time; a {@link Contribution.Covered} in the windows of the
 * request it covers.
 */
final class FoldChannelWindows extends WindowedTallies<Contribution, ChannelWindowTally, ChannelWindowMetrics> {

  private final ChannelRegistry registry;

  FoldChannelWindows(ChannelRegistry registry, Duration emitInterval, Duration retention) {
    super(ChannelMetricsTopology.CHANNEL_WINDOWS_STORE, ChannelMetricsTopology.CHANNEL_WINDOWS_DIRTY_STORE,
        ChannelMetricsTopology.CHANNEL_WINDOWS_EXPIRY_STORE, emitInterval, retention);
    this.registry = registry;
  }

  static String key(String channelId, WindowSize size, long windowStart) {
    return channelId + "|" + size.name() + "|" + windowStart;
  }

  @Override
  public void process(Record<String, Contribution> record) {
    Contribution c = record.value();
    long time;
    if (c instanceof Contribution.Usage u) {
      time = u.event().getEventTime().toEpochMilli();
    } else if (c instanceof Contribution.Feedback f) {
      time = f.event().getEventTime().toEpochMilli();
    } else {
      time = ((Contribution.Covered) c).requestTime();
    }
    for (WindowSize size : WindowSize.values()) {
      long start = size.startOf(time);
      fold(key(c.channelId(), size, start), size, start, () -> new ChannelWindowTally(c.channelId(), size, start), tally -> {
        if (c instanceof Contribution.Usage u) {
          tally.add(u.event());
        } else if (c instanceof Contribution.Feedback f) {
          tally.add(f.event());
        } else {
          tally.addCovered(((Contribution.Covered) c).requestCount());
        }
      });
    }
  }

  @Override
  ChannelWindowMetrics row(ChannelWindowTally t) {
    ChannelRoute route = ChannelRoute.of(registry, t.channelId, t.windowStart);
    return ChannelWindowMetrics.newBuilder()
        .setChannelId(t.channelId)
        .setWindowSize(t.size.name())
        .setWindowStart(Instant.ofEpochMilli(t.windowStart))
        .setVersion(t.version)
        .setRoute(route.route())
        .setPartnerId(route.partnerId())
        .setControlPointsOwned(route.controlPointsOwned())
        .setUsageEvents(t.usageEvents)
        .setRequests(t.requests)
        .setInputTokens(t.inputTokens)
        .setOutputTokens(t.outputTokens)
        .setActiveAccounts(t.activeAccounts())
        .setVisibleEndUsers(t.visibleEndUsers())
        .setIdentifiedRequests(t.identifiedRequests)
        .setErrorRequests(t.errorRequests)
        .setLatencyP50Ms(t.latencyQuantile(0.50))
        .setLatencyP95Ms(t.latencyQuantile(0.95))
        .setLatencyP99Ms(t.latencyQuantile(0.99))
        .setFullTelemetryRequests(t.fullTelemetryRequests)
        .setFeedbackEvents(t.feedbackEvents)
        .setTrainableFeedback(t.trainableFeedback)
        .setCoveredRequests(t.coveredRequests)
        .setNewestEventTime(t.newestEventTime == Long.MIN_VALUE ? null : Instant.ofEpochMilli(t.newestEventTime))
        .build();
  }
}
