package dev.routemetrics.query;

import dev.routemetrics.schemas.registry.Routes;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * One channel's window as stored: exact components, and the per-channel ratios docs/domain.md
 * defines over them. A ratio whose denominator is zero is null, not a made-up 0.
 */
public final class ChannelWindow {

  private ChannelWindow() {}

  /**
   * A row of channel_metrics. {@code feedbackEvents}, {@code trainableFeedback} and {@code
   * coveredRequests} are about the window's requests (feedback within 7 days of the request it
   * names, in that request's window and channel); {@code feedbackReceived} and {@code
   * trainableReceived} count feedback by its own event_time window and channel, known request or
   * not (migration 008).
   */
  public record Usage(
      Instant windowStart,
      String channelId,
      String route,
      String partnerId,
      int controlPointsOwned,
      long usageEvents,
      long requests,
      long inputTokens,
      long outputTokens,
      long activeAccounts,
      long visibleEndUsers,
      long identifiedRequests,
      long errorRequests,
      Double latencyP50Ms,
      Double latencyP95Ms,
      Double latencyP99Ms,
      long fullTelemetryRequests,
      long feedbackEvents,
      long trainableFeedback,
      long coveredRequests,
      Instant newestEventTime,
      long feedbackReceived,
      long trainableReceived) {

    /** A row without the received counts (0), for hand-made inputs written before they existed. */
    public Usage(
        Instant windowStart,
        String channelId,
        String route,
        String partnerId,
        int controlPointsOwned,
        long usageEvents,
        long requests,
        long inputTokens,
        long outputTokens,
        long activeAccounts,
        long visibleEndUsers,
        long identifiedRequests,
        long errorRequests,
        Double latencyP50Ms,
        Double latencyP95Ms,
        Double latencyP99Ms,
        long fullTelemetryRequests,
        long feedbackEvents,
        long trainableFeedback,
        long coveredRequests,
        Instant newestEventTime) {
      this(
          windowStart,
          channelId,
          route,
          partnerId,
          controlPointsOwned,
          usageEvents,
          requests,
          inputTokens,
          outputTokens,
          activeAccounts,
          visibleEndUsers,
          identifiedRequests,
          errorRequests,
          latencyP50Ms,
          latencyP95Ms,
          latencyP99Ms,
          fullTelemetryRequests,
          feedbackEvents,
          trainableFeedback,
          coveredRequests,
          newestEventTime,
          0,
          0);
    }

    public boolean isDirect() {
      return Routes.isDirect(route);
    }

    public Double identityVisibility() {
      return ratio(identifiedRequests, requests);
    }

    public Double errorRate() {
      return ratio(errorRequests, requests);
    }

    public Double feedbackCoverage() {
      return ratio(coveredRequests, requests);
    }

    public Double trainableRate() {
      return ratio(trainableFeedback, requests);
    }

    public Double telemetryFullShare() {
      return ratio(fullTelemetryRequests, requests);
    }
  }

  /** A row of channel_revenue: one currency. */
  public record Money(
      Instant windowStart,
      String channelId,
      String currency,
      String route,
      String partnerId,
      long billingEvents,
      BigDecimal gross,
      BigDecimal netWhereGrossKnown,
      BigDecimal partnerFee,
      BigDecimal net,
      BigDecimal netBilledByLab) {

    public boolean isDirect() {
      return Routes.isDirect(route);
    }

    /** Net over gross, where gross is known. */
    public Double captureRate() {
      return ratio(netWhereGrossKnown, gross);
    }

    /** Net billed by the lab over all net. */
    public Double billingOwnership() {
      return ratio(netBilledByLab, net);
    }
  }

  static Double ratio(long numerator, long denominator) {
    return denominator == 0 ? null : (double) numerator / denominator;
  }

  static Double ratio(BigDecimal numerator, BigDecimal denominator) {
    return denominator.signum() == 0 ? null : numerator.doubleValue() / denominator.doubleValue();
  }
}
