package dev.routemetrics.streams;

import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.BillingKind;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds CHARGE, REFUND and CREDIT events (keyed by channel) into the channel's MINUTE, HOUR and DAY
 * windows of their own event_time, per currency, and emits {@link ChannelWindowRevenue} keyed {@code
 * channel|SIZE|windowStartMillis|CURRENCY}. A PARTNER_STATEMENT is a claim to reconcile, never revenue.
 */
final class FoldRevenueWindows extends WindowedTallies<BillingEvent, RevenueTally, ChannelWindowRevenue> {

  private static final Logger log = LoggerFactory.getLogger(FoldRevenueWindows.class);
  private static final int SCALE = 4;

  private final ChannelRegistry registry;

  FoldRevenueWindows(ChannelRegistry registry, Duration emitInterval, Duration retention) {
    super(ChannelMetricsTopology.REVENUE_WINDOWS_STORE, ChannelMetricsTopology.REVENUE_WINDOWS_DIRTY_STORE,
        ChannelMetricsTopology.REVENUE_WINDOWS_EXPIRY_STORE, emitInterval, retention);
    this.registry = registry;
  }

  static String key(String channelId, WindowSize size, long windowStart, String currency) {
    return channelId + "|" + size.name() + "|" + windowStart + "|" + currency;
  }

  static boolean isRevenue(BillingKind kind) {
    return kind == BillingKind.CHARGE || kind == BillingKind.REFUND || kind == BillingKind.CREDIT;
  }

  @Override
  public void process(Record<String, BillingEvent> record) {
    BillingEvent e = record.value();
    if (!isRevenue(e.getKind())) {
      if (e.getKind() != BillingKind.PARTNER_STATEMENT) {
        log.warn("billing event {} of kind {} is not revenue this version knows; not counted", e.getEventId(), e.getKind());
      }
      return;
    }
    long time = e.getEventTime().toEpochMilli();
    String channel = e.getChannelId();
    String currency = e.getCurrency();
    for (WindowSize size : WindowSize.values()) {
      long start = size.startOf(time);
      fold(key(channel, size, start, currency), size, start, () -> new RevenueTally(channel, size, start, currency),
          tally -> tally.add(e));
    }
  }

  @Override
  ChannelWindowRevenue row(RevenueTally t) {
    ChannelRoute route = ChannelRoute.of(registry, t.channelId, t.windowStart);
    return ChannelWindowRevenue.newBuilder()
        .setChannelId(t.channelId)
        .setWindowSize(t.size.name())
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

  /** Amounts arrive with scale 4, so their sums need no rounding; UNNECESSARY fails loudly if one did. */
  private static BigDecimal money(BigDecimal amount) {
    return amount.setScale(SCALE, RoundingMode.UNNECESSARY);
  }
}
