package dev.routemetrics.simulator.expected;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The expected metrics of one channel in one window, as docs/domain.md defines them. A ratio is
 * null when its denominator is zero (no requests, no revenue) rather than a made-up 0.
 *
 * <p>Learning, per docs/domain.md#learning-retention: {@code feedbackEvents}, {@code
 * trainableFeedback} and {@code coveredRequests} are about this window's requests (feedback in the
 * request's windows and channel, within 7 days of the request), so {@code trainableRate}, {@code
 * feedbackCoverage}, {@code learningLoss} and {@code lostSignals} divide counts of the same
 * requests; {@code feedbackReceived} and {@code trainableReceived} count feedback by its own
 * event_time window and channel, whatever request it names or fails to name.
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
    long feedbackReceived,
    long trainableReceived,
    Double feedbackCoverage,
    Double trainableRate,
    Double telemetryFullShare,
    Double learningLoss,
    Double lostSignals) {

  /**
   * One currency's revenue: sums of CHARGE, REFUND and CREDIT events (statements are not revenue).
   */
  public record Revenue(
      String currency,
      BigDecimal gross,
      BigDecimal partnerFee,
      BigDecimal net,
      BigDecimal netBilledByLab,
      Double captureRate,
      Double billingOwnership) {}
}
