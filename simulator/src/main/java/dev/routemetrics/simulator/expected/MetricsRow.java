package dev.routemetrics.simulator.expected;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The expected metrics of one channel in one window, as DOMAIN.md defines them. A ratio is null
 * when its denominator is zero (no requests, no revenue) rather than a made-up 0.
 */
public record MetricsRow(
    WindowSize window,
    Instant windowStart,
    String channelId,
    String route,
    int registryVersion,
    long usageEvents,
    long requests,
    long inputTokens,
    long outputTokens,
    long activeAccounts,
    long visibleEndUsers,
    Double requestShare,
    Double identityVisibility,
    Double errorRate,
    List<Revenue> revenue,
    Double captureRate,
    Double billingOwnership,
    int controlPointsOwned,
    Double controlScore,
    long feedbackEvents,
    long trainableFeedback,
    long coveredRequests,
    Double feedbackCoverage,
    Double trainableRate,
    Double telemetryFullShare,
    Double learningLoss,
    Double lostSignals) {

  /** One currency's revenue: sums of CHARGE, REFUND and CREDIT events (statements are not revenue). */
  public record Revenue(
      String currency, BigDecimal gross, BigDecimal partnerFee, BigDecimal net, BigDecimal netBilledByLab,
      Double captureRate, Double billingOwnership) {}
}
