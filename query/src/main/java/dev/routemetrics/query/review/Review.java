package dev.routemetrics.query.review;

import dev.routemetrics.query.ControlPointMap;
import dev.routemetrics.query.Finance;
import dev.routemetrics.query.Reconciliation;
import dev.routemetrics.query.Substitution;
import dev.routemetrics.query.WhatIf;
import dev.routemetrics.query.alerts.Finding;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;

/**
 * The monthly route review as numbers: what {@link ReviewData} assembles from the audience queries
 * and {@link ReviewHtml} renders. Ratios are null where their denominator is zero; money stays
 * exact ({@link BigDecimal}, per currency: there are no exchange rates to add currencies with).
 *
 * @param registryAt the moment the control-point owners are read at (the month's last second)
 */
public record Review(
    YearMonth month,
    Instant registryAt,
    Figures all,
    List<RouteSection> routes,
    Flags flags,
    WhatIfs whatIf,
    List<String> notes) {

  /**
   * One route's or one channel's month. {@code controlPointsOwned} is a channel's as of its last
   * DAY window of the month (null for a route: its channels differ); a route's {@code controlScore}
   * is its channels' month control scores weighted by their requests.
   */
  public record Figures(
      String id,
      String route,
      long requests,
      Double requestShare,
      long inputTokens,
      long outputTokens,
      Double identityVisibility,
      Double billingOwnership,
      Integer controlPointsOwned,
      Double controlScore,
      Double feedbackCoverage,
      Double trainableRate,
      Double telemetryFullShare,
      Double learningLoss,
      Double lostSignals,
      List<Finance.Row> finance) {}

  /**
   * One day of a route: requests, request-weighted control score, trainable rate, net per currency.
   */
  public record Day(
      LocalDate day,
      long requests,
      Double controlScore,
      Double trainableRate,
      Map<String, BigDecimal> net) {}

  /**
   * Who holds the route's six control points, as the mean number of points per request each owner
   * holds over the route's channels with traffic (registry at {@link Review#registryAt()}).
   */
  public record Ownership(
      double lab, double partner, double customer, List<ControlPointMap.Row> channels) {

    /** LAB, PARTNER or CUSTOMER holding the most points, or null when two or more hold the most. */
    public String owner() {
      double most = Math.max(lab, Math.max(partner, customer));
      int holders =
          (close(lab, most) ? 1 : 0)
              + (close(partner, most) ? 1 : 0)
              + (close(customer, most) ? 1 : 0);
      if (holders > 1) {
        return null;
      }
      return close(lab, most) ? "LAB" : close(partner, most) ? "PARTNER" : "CUSTOMER";
    }

    private static boolean close(double a, double b) {
      return Math.abs(a - b) < 1e-9;
    }
  }

  /**
   * A route of docs/domain.md, its channels (those with traffic in the month), its days and its
   * sentence.
   */
  public record RouteSection(
      String route,
      boolean direct,
      Figures figures,
      List<Figures> channels,
      List<Day> days,
      Ownership ownership,
      String sentence) {}

  /**
   * A channel flagged volume without control (reach-control's definition) on the month as a whole
   * and/or on some of its days.
   */
  public record VolumeWithoutControl(
      String channelId,
      String route,
      boolean month,
      int daysFlagged,
      int daysWithTraffic,
      Double requestShare,
      Double controlScore) {}

  /** A coverage drop (the alert rule's definition and thresholds) on one day of the month. */
  public record CoverageDrop(LocalDate day, Finding finding) {}

  /** The flagged channels, each list by its view's definition and threshold. */
  public record Flags(
      List<VolumeWithoutControl> volumeWithoutControl,
      List<Substitution.Row> rentedVolume,
      double reconciliationBoundPercent,
      List<Reconciliation.Row> reconciliationGaps,
      double coverageMaxDrop,
      List<CoverageDrop> coverageDrops) {}

  /**
   * One candidate shift (indirect channel to direct channel) and its period change (WhatIf's PERIOD
   * row). Revenue at risk is the shifted fraction of the source's net in the windows the what-if
   * evaluated, per currency: what the lab stands to lose if the moved customers do not follow.
   * {@code atRiskPercent} is that amount as a percentage of the lab's month net in each currency,
   * summed over currencies; {@code gainPerPercent} the control-score gain per 1 % of the month's
   * net at risk (null without net at risk).
   */
  public record Candidate(
      WhatIf.Shift shift,
      WhatIf.Row period,
      Map<String, BigDecimal> revenueAtRisk,
      Double atRiskPercent,
      Double gainPerPercent) {}

  /** The candidates ranked, best first; {@code top} the first that gains control, or null. */
  public record WhatIfs(BigDecimal fraction, List<Candidate> ranked, Candidate top) {}
}
