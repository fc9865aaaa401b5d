package dev.routemetrics.streams;

import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.windows.WindowSize;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Merges partial tallies (keyed {@code channel|SIZE|windowStart}, from the usage task and from the
 * coverage join) into the window's total and emits {@link ChannelWindowMetrics} under the same key.
 * A burst of late events into an old window costs one read-modify-write of its total per partial,
 * not one per event.
 */
final class FoldChannelWindows
    extends WindowedTallies<ChannelWindowTally, ChannelWindowTally, ChannelWindowMetrics> {

  private final ChannelRegistry registry;

  FoldChannelWindows(
      ChannelRegistry registry, Duration emitInterval, Duration retention, DroppedRecords dropped) {
    super(
        ChannelMetricsTopology.CHANNEL_WINDOWS_STORE,
        ChannelMetricsTopology.CHANNEL_WINDOWS_DIRTY_STORE,
        ChannelMetricsTopology.CHANNEL_WINDOWS_EXPIRY_STORE,
        emitInterval,
        retention,
        dropped);
    this.registry = registry;
  }

  static String key(String channelId, WindowSize size, long windowStart) {
    return channelId + "|" + size.name() + "|" + windowStart;
  }

  @Override
  public void process(Record<String, ChannelWindowTally> record) {
    ChannelWindowTally p = record.value();
    fold(
        record.key(),
        p.size,
        p.windowStart,
        () -> new ChannelWindowTally(p.channelId, p.size, p.windowStart),
        total -> total.merge(p));
  }

  @Override
  ChannelWindowMetrics row(ChannelWindowTally t) {
    ChannelRoute route = ChannelRoute.of(registry, t.channelId, t.windowStart);
    return ChannelWindowMetrics.newBuilder()
        .setChannelId(t.channelId)
        .setWindowSize(t.size.symbol())
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
        .setFeedbackReceived(t.feedbackReceived)
        .setTrainableReceived(t.trainableReceived)
        .setNewestEventTime(
            t.newestEventTime == Long.MIN_VALUE ? null : Instant.ofEpochMilli(t.newestEventTime))
        .build();
  }
}
