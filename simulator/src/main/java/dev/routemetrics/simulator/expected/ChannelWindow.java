package dev.routemetrics.simulator.expected;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one channel did in one window: plain sums and exact distinct sets, folded event by event.
 */
final class ChannelWindow {

  /** One currency's money in the window; amounts are signed (refunds and credits negative). */
  static final class Money {
    BigDecimal gross = BigDecimal.ZERO;

    /**
     * Net of the events whose gross is known: capture_rate's numerator must cover the same events
     * as its denominator.
     */
    BigDecimal netWhereGrossKnown = BigDecimal.ZERO;

    BigDecimal partnerFee = BigDecimal.ZERO;
    BigDecimal net = BigDecimal.ZERO;
    BigDecimal netBilledByLab = BigDecimal.ZERO;
  }

  long usageEvents;
  long requests;
  long inputTokens;
  long outputTokens;
  long errorRequests;
  long requestsWithEndUser;
  long fullTelemetryRequests;

  /** Requests that received at least one feedback event within 7 days; filled in at the end. */
  long coveredRequests;

  final Set<String> accounts = new HashSet<>();
  final Set<String> endUsers = new HashSet<>();

  /** Feedback about this window's requests (within 7 days of the request); filled in at the end. */
  long feedbackEvents;

  long trainableFeedback;

  /** Feedback whose own event_time falls in this window, on this channel, known request or not. */
  long feedbackReceived;

  long trainableReceived;
  final Map<String, Money> revenue = new TreeMap<>();

  Money money(String currency) {
    return revenue.computeIfAbsent(currency, c -> new Money());
  }
}
