package dev.routemetrics.streams;

import dev.routemetrics.events.BillingKind;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.windows.WindowSize;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Merges partial revenue tallies (keyed {@code channel|SIZE|windowStartMillis|CURRENCY}, folded in
 * the billing task before the shuffle) into the window's total and emits {@link
 * ChannelWindowRevenue} under the same key. A partial that would overflow the row's decimals is
 * logged, counted and not folded (the edge's per-event bound makes that take 100,000 maximal events
 * in one window).
 */
final class FoldRevenueWindows
    extends WindowedTallies<RevenueTally, RevenueTally, ChannelWindowRevenue> {

  private static final int SCALE = 4;

  private final ChannelRegistry registry;

  FoldRevenueWindows(
      ChannelRegistry registry, Duration emitInterval, Duration retention, DroppedRecords dropped) {
    super(
        ChannelMetricsTopology.REVENUE_WINDOWS_STORE,
        ChannelMetricsTopology.REVENUE_WINDOWS_DIRTY_STORE,
        ChannelMetricsTopology.REVENUE_WINDOWS_EXPIRY_STORE,
        emitInterval,
        retention,
        dropped);
    this.registry = registry;
  }

  static String key(String channelId, WindowSize size, long windowStart, String currency) {
    return channelId + "|" + size.name() + "|" + windowStart + "|" + currency;
  }

  static boolean isRevenue(BillingKind kind) {
    return kind == BillingKind.CHARGE || kind == BillingKind.REFUND || kind == BillingKind.CREDIT;
  }

  @Override
  public void process(Record<String, RevenueTally> record) {
    RevenueTally p = record.value();
    fold(
        record.key(),
        p.size,
        p.windowStart,
        () -> new RevenueTally(p.channelId, p.size, p.windowStart, p.currency),
        total -> total.merge(p));
  }

  @Override
  ChannelWindowRevenue row(RevenueTally t) {
    ChannelRoute route = ChannelRoute.of(registry, t.channelId, t.windowStart);
    return ChannelWindowRevenue.newBuilder()
        .setChannelId(t.channelId)
        .setWindowSize(t.size.symbol())
        .setWindowStart(Instant.ofEpochMilli(t.windowStart))
        .setCurrency(t.currency)
        .setRoute(route.route())
        .setPartnerId(route.partnerId())
        .setVersion(t.version)
        .setBillingEvents(t.billingEvents)
        .setGross(money(t.gross))
        .setNetWhereGrossKnown(money(t.netWhereGrossKnown))
        .setPartnerFee(money(t.partnerFee))
        .setNet(money(t.net))
        .setNetBilledByLab(money(t.netBilledByLab))
        .build();
  }

  /**
   * Amounts arrive with scale 4, so their sums need no rounding; UNNECESSARY fails loudly if one
   * did.
   */
  private static BigDecimal money(BigDecimal amount) {
    return amount.setScale(SCALE, RoundingMode.UNNECESSARY);
  }
}
