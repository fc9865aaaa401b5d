package dev.routemetrics.warehouse.query;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Set;

/**
 * One channel's window as stored: exact components, and the per-channel ratios DOMAIN.md defines
 * over them. A ratio whose denominator is zero is null, not a made-up 0.
 */
public final class ChannelWindow {

  /** The direct routes: the lab owns the relationship. */
  public static final Set<String> DIRECT_ROUTES = Set.of("DIRECT_API", "CONSUMER_APP", "ENTERPRISE_PLATFORM");

  private ChannelWindow() {}

  /** A row of channel_metrics. */
  public record Usage(Instant windowStart, String channelId, String route, String partnerId, int controlPointsOwned,
      long usageEvents, long requests, long inputTokens, long outputTokens, long activeAccounts, long visibleEndUsers,
      long identifiedRequests, long errorRequests, Double latencyP50Ms, Double latencyP95Ms, Double latencyP99Ms,
      long fullTelemetryRequests, long feedbackEvents, long trainableFeedback, long coveredRequests,
      Instant newestEventTime) {

    public boolean isDirect() {
      return DIRECT_ROUTES.contains(route);
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
  public record Money(Instant windowStart, String channelId, String currency, String route, String partnerId,
      long billingEvents, BigDecimal gross, BigDecimal netWhereGrossKnown, BigDecimal partnerFee, BigDecimal net,
      BigDecimal netBilledByLab) {

    public boolean isDirect() {
      return DIRECT_ROUTES.contains(route);
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
