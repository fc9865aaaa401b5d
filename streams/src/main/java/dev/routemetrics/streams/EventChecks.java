package dev.routemetrics.streams;

import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.EventBounds;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * The bounds an event must keep for the topology to fold it ({@link EventBounds}, the edge's),
 * checked again here because the edge is not the only producer: a record written straight to the
 * topic by another client gets the same answer as the edge gives (set aside with the field and the
 * bound instead of counted). Each check returns null for an event within bounds, else the reason.
 * Event time is checked against what the warehouse can store, not against the wall clock, so a
 * replay sets aside the same events.
 */
final class EventChecks {

  /**
   * What ClickHouse 18.16's DateTime stores; the edge's tighter bounds also depend on the wall
   * clock.
   */
  static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");

  static final Instant LATEST = Instant.parse("2105-12-31T23:59:59Z");
  static final java.time.Duration MAX_FUTURE_SKEW = EventBounds.MAX_FUTURE_SKEW;
  static final long MAX_TOKENS = EventBounds.MAX_TOKENS;
  static final int MAX_REQUEST_COUNT = EventBounds.MAX_REQUEST_COUNT;
  static final long MAX_LATENCY_MS = EventBounds.MAX_LATENCY_MS;
  static final BigDecimal MAX_AMOUNT = EventBounds.MAX_MONEY;

  private EventChecks() {}

  static String usage(UsageEvent e) {
    String time = time(e.getEventTime());
    if (time != null) {
      return time;
    }
    if (e.getRequestCount() < 1 || e.getRequestCount() > MAX_REQUEST_COUNT) {
      return "request_count " + e.getRequestCount() + " outside [1, " + MAX_REQUEST_COUNT + "]";
    }
    if (e.getInputTokens() < 0 || e.getInputTokens() > MAX_TOKENS) {
      return "input_tokens " + e.getInputTokens() + " outside [0, " + MAX_TOKENS + "]";
    }
    if (e.getOutputTokens() < 0 || e.getOutputTokens() > MAX_TOKENS) {
      return "output_tokens " + e.getOutputTokens() + " outside [0, " + MAX_TOKENS + "]";
    }
    if (e.getLatencyMs() < 0 || e.getLatencyMs() > MAX_LATENCY_MS) {
      return "latency_ms " + e.getLatencyMs() + " outside [0, " + MAX_LATENCY_MS + "]";
    }
    return null;
  }

  static String billing(BillingEvent e) {
    String time = time(e.getEventTime());
    if (time != null) {
      return time;
    }
    for (Object[] amount :
        new Object[][] {
          {"gross_amount", e.getGrossAmount()},
          {"partner_fee", e.getPartnerFee()},
          {"net_amount", e.getNetAmount()}
        }) {
      BigDecimal value = (BigDecimal) amount[1];
      if (value != null && value.abs().compareTo(MAX_AMOUNT) > 0) {
        return amount[0] + " " + value.toPlainString() + " beyond +-" + MAX_AMOUNT.toPlainString();
      }
    }
    return null;
  }

  static String feedback(FeedbackEvent e) {
    return time(e.getEventTime());
  }

  private static String time(Instant eventTime) {
    if (eventTime.isBefore(EARLIEST) || eventTime.isAfter(LATEST)) {
      return "event_time " + eventTime + " outside the storable [" + EARLIEST + ", " + LATEST + "]";
    }
    return null;
  }
}
