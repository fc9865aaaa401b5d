package dev.routemetrics.simulator.traffic;

import dev.routemetrics.events.BilledBy;
import dev.routemetrics.events.FeedbackKind;
import dev.routemetrics.events.FeedbackSource;
import dev.routemetrics.events.Route;
import java.util.List;

/**
 * How traffic on a route looks, after docs/domain.md's table: who the lab can see, what telemetry
 * and feedback come back, and who bills. Numbers are plausible, not measured; what matters is that
 * the routes differ the way the domain says they do.
 *
 * @param requestShare share of all requests this route carries (split evenly over its channels)
 * @param hourlyAggregates the partner reports one aggregate per model and hour instead of requests
 * @param accountPool distinct accounts the lab sees; 0 means the partner's own account only
 * @param endUserShare share of requests that name a pseudonymous end user
 * @param endUserPool distinct end users behind those requests
 * @param fullTelemetryShare share of requests with FULL telemetry (the rest METADATA; NONE for
 *     aggregates)
 * @param feedbackRate feedback events per request
 * @param trainableIfFull chance feedback is trainable when its request had FULL telemetry
 * @param trainableOtherwise chance feedback is trainable otherwise (a partner sharing filtered
 *     content)
 * @param requestIdKnown chance feedback names the request it is about
 * @param grossKnown whether the biller discloses what the end customer paid
 * @param diurnalPeakHour UTC hour of the daily peak
 * @param diurnalAmplitude how far traffic swings around its mean over the day
 */
record RouteBehaviour(
    double requestShare,
    boolean hourlyAggregates,
    int accountPool,
    double endUserShare,
    int endUserPool,
    double fullTelemetryShare,
    double feedbackRate,
    double trainableIfFull,
    double trainableOtherwise,
    double requestIdKnown,
    FeedbackSource feedbackSource,
    List<FeedbackKind> feedbackKinds,
    BilledBy billedBy,
    boolean grossKnown,
    int diurnalPeakHour,
    double diurnalAmplitude) {

  static RouteBehaviour of(Route route) {
    return switch (route) {
      // The lab bills developers and sees their accounts, rarely who their end users are.
      case DIRECT_API ->
          new RouteBehaviour(
              0.20,
              false,
              2_000,
              0.10,
              20_000,
              0.30,
              0.04,
              0.90,
              0,
              1.0,
              FeedbackSource.DEVELOPER,
              List.of(FeedbackKind.BUG_REPORT, FeedbackKind.RATING, FeedbackKind.CORRECTION),
              BilledBy.LAB,
              true,
              16,
              0.3);
      // The lab owns everything: every request has a user, most under consent, much feedback.
      case CONSUMER_APP ->
          new RouteBehaviour(
              0.22,
              false,
              50_000,
              1.0,
              50_000,
              0.85,
              0.12,
              0.95,
              0,
              1.0,
              FeedbackSource.END_USER,
              List.of(
                  FeedbackKind.THUMBS_UP,
                  FeedbackKind.THUMBS_UP,
                  FeedbackKind.THUMBS_DOWN,
                  FeedbackKind.RATING,
                  FeedbackKind.PREFERENCE_PAIR,
                  FeedbackKind.CORRECTION),
              BilledBy.LAB,
              true,
              20,
              0.5);
      case ENTERPRISE_PLATFORM ->
          new RouteBehaviour(
              0.12,
              false,
              40,
              1.0,
              6_000,
              0.30,
              0.06,
              0.80,
              0,
              1.0,
              FeedbackSource.END_USER,
              List.of(FeedbackKind.RATING, FeedbackKind.CORRECTION, FeedbackKind.ESCALATION),
              BilledBy.LAB,
              true,
              14,
              0.6);
      // Hourly aggregates under the partner's account: no users, no telemetry, no feedback; the
      // partner bills.
      case CLOUD_PARTNER ->
          new RouteBehaviour(
              0.22,
              true,
              0,
              0,
              0,
              0,
              0,
              0,
              0,
              0,
              FeedbackSource.PARTNER_REPORT,
              List.of(FeedbackKind.BUG_REPORT),
              BilledBy.PARTNER,
              true,
              15,
              0.4);
      // The marketplace owns the buyer and hides what it charged.
      case MARKETPLACE ->
          new RouteBehaviour(
              0.08,
              false,
              0,
              0,
              0,
              0,
              0.005,
              0,
              0,
              0.5,
              FeedbackSource.PARTNER_REPORT,
              List.of(FeedbackKind.BUG_REPORT, FeedbackKind.ESCALATION),
              BilledBy.PARTNER,
              false,
              16,
              0.3);
      // Rich but filtered: the partner forwards some users and reports feedback, little of it
      // trainable.
      case VERTICAL_WORKFLOW ->
          new RouteBehaviour(
              0.10,
              false,
              0,
              0.30,
              4_000,
              0.10,
              0.08,
              0.60,
              0.10,
              0.8,
              FeedbackSource.PARTNER_REPORT,
              List.of(FeedbackKind.CORRECTION, FeedbackKind.RATING, FeedbackKind.THUMBS_DOWN),
              BilledBy.PARTNER,
              true,
              15,
              0.5);
      // The customer's gateway hides its users; the lab still invoices the customer.
      case INTERNAL_PLATFORM ->
          new RouteBehaviour(
              0.06,
              false,
              3,
              0,
              0,
              0,
              0.01,
              0,
              0,
              1.0,
              FeedbackSource.DEVELOPER,
              List.of(FeedbackKind.ESCALATION, FeedbackKind.BUG_REPORT),
              BilledBy.LAB,
              true,
              14,
              0.6);
    };
  }

  /** Traffic multiplier at a UTC hour of day; averages 1 over the day. */
  double diurnal(int hourOfDay) {
    return 1 + diurnalAmplitude * Math.cos(2 * Math.PI * (hourOfDay - diurnalPeakHour) / 24.0);
  }
}
