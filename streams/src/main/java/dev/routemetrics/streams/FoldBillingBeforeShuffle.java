package dev.routemetrics.streams;

import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.BillingKind;
import dev.routemetrics.schemas.windows.WindowSize;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In the task that deduplicated and gated them, folds CHARGE, REFUND and CREDIT events into partial
 * revenue tallies of their channel's MINUTE, HOUR and DAY windows of their own event_time, per
 * currency, and ships the partials every emit interval, keyed {@code
 * channel|SIZE|windowStart|CURRENCY}. A PARTNER_STATEMENT is a claim to reconcile, never revenue.
 */
final class FoldBillingBeforeShuffle
    extends ContextualProcessor<String, BillingEvent, String, RevenueTally> {

  private static final Logger log = LoggerFactory.getLogger(FoldBillingBeforeShuffle.class);

  private final Duration emitInterval;
  private PartialTallies<RevenueTally> partials;

  FoldBillingBeforeShuffle(Duration emitInterval) {
    this.emitInterval = emitInterval;
  }

  @Override
  public void init(ProcessorContext<String, RevenueTally> context) {
    super.init(context);
    partials =
        new PartialTallies<>(context.getStateStore(ChannelMetricsTopology.REVENUE_PARTIALS_STORE));
    context.schedule(emitInterval, PunctuationType.WALL_CLOCK_TIME, now -> ship());
  }

  @Override
  public void process(Record<String, BillingEvent> record) {
    BillingEvent e = record.value();
    if (!FoldRevenueWindows.isRevenue(e.getKind())) {
      if (e.getKind() != BillingKind.PARTNER_STATEMENT) {
        log.warn(
            "billing event {} of kind {} is not revenue this version knows; not counted",
            e.getEventId(),
            e.getKind());
      }
      return;
    }
    long time = e.getEventTime().toEpochMilli();
    String channel = e.getChannelId();
    String currency = e.getCurrency();
    for (WindowSize size : WindowSize.values()) {
      long start = size.startOf(time);
      partials.fold(
          FoldRevenueWindows.key(channel, size, start, currency),
          () -> new RevenueTally(channel, size, start, currency),
          tally -> tally.add(e));
    }
  }

  private void ship() {
    if (partials.drain(
            (key, tally) -> context().forward(new Record<>(key, tally, tally.windowStart)))
        > 0) {
      context().commit();
    }
  }
}
