package dev.routemetrics.simulator.expected;

import static dev.routemetrics.simulator.expected.Events.feedback;
import static dev.routemetrics.simulator.expected.Events.money;
import static dev.routemetrics.simulator.expected.Events.request;
import static dev.routemetrics.simulator.expected.Events.statement;
import static dev.routemetrics.simulator.expected.Events.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.routemetrics.events.BilledBy;
import dev.routemetrics.events.BillingKind;
import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tiny scenarios whose expected numbers are worked out by hand from docs/domain.md, in the
 * comments.
 */
class ExpectedMetricsTest {

  private static final double EPS = 1e-12;

  private final ExpectedMetrics metrics = new ExpectedMetrics(ChannelRegistry.builtIn());

  /**
   * One hour, 2026-11-10 10:00 UTC (registry version 1): three consumer-app requests by two
   * accounts and two end users, one of them a server error, two with FULL telemetry; one
   * cloud-nimbus hourly aggregate of 40 requests; a charge and a refund on the app, a partner
   * charge on nimbus.
   */
  private ExpectedMetrics.Result oneHourOfTwoChannels() {
    metrics.accept(
        usage(
            "consumer-app",
            "2026-11-10T10:00:10Z",
            "a1",
            "x1",
            "r1",
            1,
            100,
            50,
            Outcome.SUCCESS,
            TelemetryLevel.FULL));
    metrics.accept(
        usage(
            "consumer-app",
            "2026-11-10T10:00:40Z",
            "a1",
            "x2",
            "r2",
            1,
            200,
            70,
            Outcome.SERVER_ERROR,
            TelemetryLevel.METADATA));
    metrics.accept(
        usage(
            "consumer-app",
            "2026-11-10T10:01:05Z",
            "a2",
            "x1",
            "r3",
            1,
            10,
            5,
            Outcome.SUCCESS,
            TelemetryLevel.FULL));
    metrics.accept(
        usage(
            "cloud-nimbus",
            "2026-11-10T10:00:00Z",
            "nimbus-cloud",
            null,
            "agg1",
            40,
            4000,
            2000,
            Outcome.SUCCESS,
            TelemetryLevel.NONE));
    // r1 gets trainable feedback five minutes later; r2's feedback comes 7 days and 1 s later: too
    // late to cover it.
    metrics.accept(feedback("consumer-app", "2026-11-10T10:05:00Z", "r1", true));
    metrics.accept(feedback("consumer-app", "2026-11-17T10:00:41Z", "r2", false));
    metrics.accept(
        money(
            "consumer-app",
            "2026-11-10T10:30:00Z",
            BillingKind.CHARGE,
            BilledBy.LAB,
            "10.0000",
            "0",
            "10.0000"));
    metrics.accept(
        money(
            "consumer-app",
            "2026-11-10T10:45:00Z",
            BillingKind.REFUND,
            BilledBy.LAB,
            "-2.0000",
            "0",
            "-2.0000"));
    metrics.accept(
        money(
            "cloud-nimbus",
            "2026-11-10T10:59:00Z",
            BillingKind.CHARGE,
            BilledBy.PARTNER,
            "50.0000",
            "10.0000",
            "40.0000"));
    metrics.accept(
        statement("cloud-nimbus", "2026-11-10T10:00:00Z", "2026-11-10T11:00:00Z", 42, "41.2000"));
    return metrics.result();
  }

  @Test
  void shouldComputeReachControlAndLearningOfADirectChannelForAnHour() {
    MetricsRow app =
        row(oneHourOfTwoChannels().rows(), WindowSize.HOUR, "2026-11-10T10:00:00Z", "consumer-app");

    assertThat(app.requests()).isEqualTo(3);
    assertThat(app.inputTokens()).isEqualTo(100 + 200 + 10);
    assertThat(app.outputTokens()).isEqualTo(50 + 70 + 5);
    assertThat(app.activeAccounts()).as("a1, a2").isEqualTo(2);
    assertThat(app.visibleEndUsers()).as("x1, x2").isEqualTo(2);
    assertThat(app.requestShare()).isCloseTo(3.0 / (3 + 40), within(EPS));
    assertThat(app.identityVisibility()).as("3 of 3 requests name a user").isEqualTo(1.0);
    assertThat(app.errorRate()).as("1 server error of 3").isCloseTo(1.0 / 3, within(EPS));
    assertThat(app.telemetryFullShare()).isCloseTo(2.0 / 3, within(EPS));
    // Revenue: 10.0000 charged, 2.0000 refunded, all billed by the lab.
    assertThat(app.revenue())
        .singleElement()
        .satisfies(
            usd -> {
              assertThat(usd.currency()).isEqualTo("USD");
              assertThat(usd.gross()).isEqualByComparingTo("8.0000");
              assertThat(usd.net()).isEqualByComparingTo("8.0000");
              assertThat(usd.netBilledByLab()).isEqualByComparingTo("8.0000");
            });
    assertThat(app.captureRate()).isEqualTo(1.0);
    assertThat(app.billingOwnership()).isEqualTo(1.0);
    assertThat(app.controlPointsOwned()).isEqualTo(6);
    // control_score = (6/6 + 1 + 1) / 3
    assertThat(app.controlScore()).isCloseTo(1.0, within(EPS));
    // r1's feedback is about this hour's request; r2's came 7 days and 1 s after r2: not about it
    // any more.
    assertThat(app.feedbackEvents()).as("r1's feedback only").isEqualTo(1);
    assertThat(app.trainableFeedback()).isEqualTo(1);
    assertThat(app.feedbackReceived())
        .as("r1's feedback at 10:05 came in this hour; r2's on 2026-11-17")
        .isEqualTo(1);
    assertThat(app.trainableReceived()).isEqualTo(1);
    assertThat(app.feedbackCoverage()).as("only r1 is covered").isCloseTo(1.0 / 3, within(EPS));
    assertThat(app.trainableRate()).isCloseTo(1.0 / 3, within(EPS));
    // The app is the only direct channel here: its own rate is the direct rate, so nothing is lost.
    assertThat(app.learningLoss()).isCloseTo(0.0, within(EPS));
    assertThat(app.lostSignals()).isCloseTo(0.0, within(EPS));
  }

  @Test
  void shouldComputeWhatACloudPartnerAggregateGivesAndHides() {
    MetricsRow nimbus =
        row(oneHourOfTwoChannels().rows(), WindowSize.HOUR, "2026-11-10T10:00:00Z", "cloud-nimbus");

    assertThat(nimbus.requests()).as("one aggregate of 40").isEqualTo(40);
    assertThat(nimbus.usageEvents()).isEqualTo(1);
    assertThat(nimbus.requestShare()).isCloseTo(40.0 / 43, within(EPS));
    assertThat(nimbus.visibleEndUsers()).isZero();
    assertThat(nimbus.identityVisibility()).isEqualTo(0.0);
    // capture_rate = net / gross = 40 / 50; billing_ownership = lab-billed net / net = 0 / 40.
    assertThat(nimbus.captureRate()).isCloseTo(0.8, within(EPS));
    assertThat(nimbus.billingOwnership()).isEqualTo(0.0);
    assertThat(nimbus.controlScore()).as("(0/6 + 0 + 0) / 3").isEqualTo(0.0);
    // Direct trainable rate 1/3; nimbus has 0 trainable of 40 requests.
    assertThat(nimbus.learningLoss()).isEqualTo(1.0);
    assertThat(nimbus.lostSignals()).as("1/3 × 40 − 0").isCloseTo(40.0 / 3, within(1e-9));
  }

  @Test
  void shouldCountMinuteWindowsSeparately() {
    List<MetricsRow> rows = oneHourOfTwoChannels().rows();
    MetricsRow first = row(rows, WindowSize.MINUTE, "2026-11-10T10:00:00Z", "consumer-app");
    MetricsRow second = row(rows, WindowSize.MINUTE, "2026-11-10T10:01:00Z", "consumer-app");
    assertThat(first.requests()).isEqualTo(2);
    assertThat(first.feedbackCoverage()).as("r1 of r1, r2").isEqualTo(0.5);
    assertThat(second.requests()).isEqualTo(1);
    assertThat(second.activeAccounts()).isEqualTo(1);
    assertThat(second.controlScore())
        .as("no revenue in this minute, so no billing_ownership")
        .isNull();
  }

  @Test
  void shouldLeaveRatiosEmptyWhereAWindowHasNoRequests() {
    MetricsRow lateFeedbackDay =
        row(oneHourOfTwoChannels().rows(), WindowSize.DAY, "2026-11-17T00:00:00Z", "consumer-app");
    assertThat(lateFeedbackDay.feedbackReceived())
        .as("r2's feedback came in that day")
        .isEqualTo(1);
    assertThat(lateFeedbackDay.trainableReceived()).isZero();
    assertThat(lateFeedbackDay.feedbackEvents())
        .as("no requests that day for feedback to be about")
        .isZero();
    assertThat(lateFeedbackDay.requests()).isZero();
    assertThat(lateFeedbackDay.trainableRate()).isNull();
    assertThat(lateFeedbackDay.feedbackCoverage()).isNull();
  }

  @Test
  void shouldReconcileAPartnerStatementAgainstMeteredRequestsAndNet() {
    StatementReconciliation r = oneHourOfTwoChannels().reconciliations().get(0);
    assertThat(r.channelId()).isEqualTo("cloud-nimbus");
    assertThat(r.partnerId()).isEqualTo("nimbus-cloud");
    assertThat(r.reportedRequests()).isEqualTo(42);
    assertThat(r.meteredRequests()).isEqualTo(40);
    // (42 − 40) / 40 = +5 %; net (41.2 − 40) / 40 = +3 %.
    assertThat(r.requestDiscrepancyPercent()).isCloseTo(5.0, within(EPS));
    assertThat(r.meteredNet()).isEqualByComparingTo("40.0000");
    assertThat(r.netDiscrepancyPercent()).isCloseTo(3.0, within(1e-9));
  }

  @Test
  void shouldPoolAllDirectChannelsForLearningLoss() {
    // direct-api: 10 requests, 1 trainable; consumer-app: 10 requests, 3 trainable -> direct rate
    // (1 + 3) / 20 = 0.2.
    // vertical-codepilot: 10 requests, 1 trainable -> rate 0.1, learning_loss = 1 − 0.1 / 0.2 =
    // 0.5, lost = 0.2 × 10 − 1 = 1.
    for (int i = 0; i < 10; i++) {
      for (String channel : new String[] {"direct-api", "consumer-app", "vertical-codepilot"}) {
        metrics.accept(request(channel, "2026-11-10T10:0" + i + ":00Z", channel + i));
      }
    }
    metrics.accept(feedback("direct-api", "2026-11-10T10:20:00Z", "direct-api0", true));
    for (int i = 0; i < 3; i++) {
      metrics.accept(feedback("consumer-app", "2026-11-10T10:20:00Z", "consumer-app" + i, true));
    }
    metrics.accept(
        feedback("vertical-codepilot", "2026-11-10T10:20:00Z", "vertical-codepilot0", true));
    metrics.accept(
        feedback("vertical-codepilot", "2026-11-10T10:21:00Z", "vertical-codepilot1", false));

    MetricsRow codepilot =
        row(metrics.result().rows(), WindowSize.HOUR, "2026-11-10T10:00:00Z", "vertical-codepilot");

    assertThat(codepilot.feedbackEvents()).isEqualTo(2);
    assertThat(codepilot.trainableRate()).isCloseTo(0.1, within(EPS));
    assertThat(codepilot.learningLoss()).isCloseTo(0.5, within(EPS));
    assertThat(codepilot.lostSignals()).isCloseTo(1.0, within(EPS));
    assertThat(codepilot.feedbackCoverage())
        .as("2 of 10 requests got feedback")
        .isCloseTo(0.2, within(EPS));
  }

  @Test
  void shouldCountFeedbackInTheRequestsWindowsAndAsReceivedInItsOwn() {
    // A request at 10:59; trainable feedback about it at 11:30 the same day, and more 8 days later.
    metrics.accept(request("consumer-app", "2026-11-10T10:59:00Z", "q1"));
    metrics.accept(feedback("consumer-app", "2026-11-10T11:30:00Z", "q1", true));
    metrics.accept(feedback("consumer-app", "2026-11-18T10:59:30Z", "q1", true));
    List<MetricsRow> rows = metrics.result().rows();

    MetricsRow requestHour = row(rows, WindowSize.HOUR, "2026-11-10T10:00:00Z", "consumer-app");
    assertThat(requestHour.feedbackEvents())
        .as("11:30 is about the 10:59 request; +8 days is past the 7")
        .isEqualTo(1);
    assertThat(requestHour.trainableFeedback()).isEqualTo(1);
    assertThat(requestHour.coveredRequests()).isEqualTo(1);
    assertThat(requestHour.trainableRate()).as("1 trainable / 1 request").isEqualTo(1.0);
    assertThat(requestHour.feedbackReceived()).as("nothing came in 10:00-11:00").isZero();
    assertThat(requestHour.trainableReceived()).isZero();

    MetricsRow arrivalHour = row(rows, WindowSize.HOUR, "2026-11-10T11:00:00Z", "consumer-app");
    assertThat(arrivalHour.feedbackReceived()).isEqualTo(1);
    assertThat(arrivalHour.trainableReceived()).isEqualTo(1);
    assertThat(arrivalHour.feedbackEvents()).as("no requests in 11:00-12:00").isZero();
    assertThat(arrivalHour.requests()).isZero();
    assertThat(arrivalHour.trainableRate()).isNull();

    assertThat(
            row(rows, WindowSize.MINUTE, "2026-11-10T10:59:00Z", "consumer-app").feedbackEvents())
        .isEqualTo(1);
    assertThat(
            row(rows, WindowSize.MINUTE, "2026-11-10T11:30:00Z", "consumer-app").feedbackReceived())
        .isEqualTo(1);
    MetricsRow day = row(rows, WindowSize.DAY, "2026-11-10T00:00:00Z", "consumer-app");
    assertThat(day.feedbackEvents())
        .as("the day holds both the request and the 11:30 feedback")
        .isEqualTo(1);
    assertThat(day.feedbackReceived()).isEqualTo(1);

    // The +8 days feedback: received on 2026-11-18, about nothing.
    MetricsRow lateHour = row(rows, WindowSize.HOUR, "2026-11-18T10:00:00Z", "consumer-app");
    assertThat(lateHour.feedbackReceived()).isEqualTo(1);
    assertThat(lateHour.trainableReceived()).isEqualTo(1);
    assertThat(lateHour.feedbackEvents()).isZero();
    assertThat(row(rows, WindowSize.DAY, "2026-11-18T00:00:00Z", "consumer-app").feedbackReceived())
        .isEqualTo(1);
    assertThat(
            rows.stream()
                .filter(r -> r.window() == WindowSize.HOUR)
                .mapToLong(MetricsRow::feedbackEvents)
                .sum())
        .as("feedback about requests, all HOUR rows")
        .isEqualTo(1);
    assertThat(
            rows.stream()
                .filter(r -> r.window() == WindowSize.HOUR)
                .mapToLong(MetricsRow::feedbackReceived)
                .sum())
        .as("feedback received, all HOUR rows: every feedback event once")
        .isEqualTo(2);
  }

  @Test
  void shouldCountFeedbackWithoutAKnownRequestOnlyAsReceived() {
    metrics.accept(request("vertical-codepilot", "2026-11-10T10:00:00Z", "k1"));
    metrics.accept(
        feedback("vertical-codepilot", "2026-11-10T10:10:00Z", null, true)); // names no request
    metrics.accept(feedback("vertical-codepilot", "2026-11-10T10:20:00Z", "never-seen", false));
    // The horizon is [t, t + 7 days], both ends included: before the request, or 1 ms past, is not
    // about it.
    metrics.accept(feedback("vertical-codepilot", "2026-11-10T09:59:59Z", "k1", true));
    metrics.accept(feedback("vertical-codepilot", "2026-11-17T10:00:00Z", "k1", false));
    metrics.accept(feedback("vertical-codepilot", "2026-11-17T10:00:00.001Z", "k1", true));
    List<MetricsRow> rows = metrics.result().rows();

    MetricsRow hour = row(rows, WindowSize.HOUR, "2026-11-10T10:00:00Z", "vertical-codepilot");
    assertThat(hour.feedbackEvents()).as("only the one at exactly t + 7 days").isEqualTo(1);
    assertThat(hour.trainableFeedback()).as("that one is not trainable").isZero();
    assertThat(hour.coveredRequests()).isEqualTo(1);
    assertThat(hour.feedbackReceived())
        .as("the one without request_id and the one naming an unknown request")
        .isEqualTo(2);
    assertThat(hour.trainableReceived()).isEqualTo(1);
    assertThat(
            row(rows, WindowSize.HOUR, "2026-11-10T09:00:00Z", "vertical-codepilot")
                .feedbackReceived())
        .isEqualTo(1);
    MetricsRow weekLater = row(rows, WindowSize.HOUR, "2026-11-17T10:00:00Z", "vertical-codepilot");
    assertThat(weekLater.feedbackReceived()).isEqualTo(2);
    assertThat(weekLater.trainableReceived()).isEqualTo(1);
    assertThat(weekLater.feedbackEvents()).isZero();
  }

  @Test
  void shouldCountFeedbackAboutARequestOnTheChannelOfItsUsage() {
    // A partner reports feedback under its own channel about a request served on the direct API.
    metrics.accept(request("direct-api", "2026-11-10T10:00:00Z", "d1"));
    metrics.accept(feedback("vertical-codepilot", "2026-11-10T10:30:00Z", "d1", true));
    List<MetricsRow> rows = metrics.result().rows();

    MetricsRow direct = row(rows, WindowSize.HOUR, "2026-11-10T10:00:00Z", "direct-api");
    assertThat(direct.feedbackEvents()).isEqualTo(1);
    assertThat(direct.trainableFeedback()).isEqualTo(1);
    assertThat(direct.feedbackReceived()).isZero();
    MetricsRow partner = row(rows, WindowSize.HOUR, "2026-11-10T10:00:00Z", "vertical-codepilot");
    assertThat(partner.feedbackReceived()).isEqualTo(1);
    assertThat(partner.trainableReceived()).isEqualTo(1);
    assertThat(partner.feedbackEvents()).isZero();
  }

  @Test
  void shouldKeepARequestWithTheFirstUsageEventThatNamesIt() {
    // Two usage events (distinct event_ids) name request_id "dup": the first accepted is the
    // request.
    metrics.accept(request("consumer-app", "2026-11-10T10:00:00Z", "dup"));
    metrics.accept(request("direct-api", "2026-11-10T12:00:00Z", "dup"));
    metrics.accept(
        feedback(
            "consumer-app",
            "2026-11-10T11:00:00Z",
            "dup",
            true)); // before the second, after the first
    metrics.accept(feedback("consumer-app", "2026-11-10T12:30:00Z", "dup", true));
    List<MetricsRow> rows = metrics.result().rows();

    MetricsRow first = row(rows, WindowSize.HOUR, "2026-11-10T10:00:00Z", "consumer-app");
    assertThat(first.feedbackEvents()).as("both are within 7 days of 10:00").isEqualTo(2);
    assertThat(first.coveredRequests()).isEqualTo(1);
    MetricsRow second = row(rows, WindowSize.HOUR, "2026-11-10T12:00:00Z", "direct-api");
    assertThat(second.requests()).as("the second usage event still counts as usage").isEqualTo(1);
    assertThat(second.feedbackEvents()).isZero();
    assertThat(second.coveredRequests()).isZero();
    assertThat(second.trainableRate()).isEqualTo(0.0);
  }

  @Test
  void shouldMeasureLearningLossOverTheSameRequests() {
    // HOUR 10:00: direct-api 10 requests, 2 trainable feedback about them arriving at 11:15;
    // vertical-codepilot 10 requests, 1 trainable about them in the hour, and 3 trainable naming no
    // request.
    // direct rate = 2 / 10 = 0.2; codepilot rate = 1 / 10 = 0.1 (feedback about nothing is no
    // request's);
    // learning_loss = 1 - 0.1 / 0.2 = 0.5; lost_signals = 0.2 x 10 - 1 = 1.
    for (int i = 0; i < 10; i++) {
      metrics.accept(request("direct-api", "2026-11-10T10:0" + i + ":00Z", "da" + i));
      metrics.accept(request("vertical-codepilot", "2026-11-10T10:0" + i + ":00Z", "vc" + i));
    }
    metrics.accept(feedback("direct-api", "2026-11-10T11:15:00Z", "da0", true));
    metrics.accept(feedback("direct-api", "2026-11-10T11:15:00Z", "da1", true));
    metrics.accept(feedback("vertical-codepilot", "2026-11-10T10:30:00Z", "vc0", true));
    for (int i = 0; i < 3; i++) {
      metrics.accept(feedback("vertical-codepilot", "2026-11-10T10:40:00Z", null, true));
    }
    ExpectedMetrics.Result result = metrics.result();

    MetricsRow codepilot =
        row(result.rows(), WindowSize.HOUR, "2026-11-10T10:00:00Z", "vertical-codepilot");
    assertThat(codepilot.trainableRate()).isCloseTo(0.1, within(EPS));
    assertThat(codepilot.learningLoss()).isCloseTo(0.5, within(EPS));
    assertThat(codepilot.lostSignals()).isCloseTo(1.0, within(EPS));
    assertThat(codepilot.trainableReceived()).as("1 about a request + 3 about none").isEqualTo(4);
    MetricsRow direct = row(result.rows(), WindowSize.HOUR, "2026-11-10T10:00:00Z", "direct-api");
    assertThat(direct.trainableRate()).isCloseTo(0.2, within(EPS));
    assertThat(direct.feedbackReceived()).as("its feedback came in at 11:15").isZero();
    WindowSummary ten =
        result.windows().stream()
            .filter(
                w ->
                    w.window() == WindowSize.HOUR
                        && w.windowStart().equals(Instant.parse("2026-11-10T10:00:00Z")))
            .findFirst()
            .orElseThrow();
    assertThat(ten.directTrainableRate()).isCloseTo(0.2, within(EPS));
    WindowSummary eleven =
        result.windows().stream()
            .filter(
                w ->
                    w.window() == WindowSize.HOUR
                        && w.windowStart().equals(Instant.parse("2026-11-10T11:00:00Z")))
            .findFirst()
            .orElseThrow();
    assertThat(eleven.directTrainableRate())
        .as("no direct requests at 11:00, only feedback received")
        .isNull();
  }

  @Test
  void shouldTakeControlPointsFromTheRegistryAsItWasAtTheWindowStart() {
    // Registry version 2, effective 2026-11-20 12:00, gives the lab lexdraft's identity: 0 -> 1
    // owned point.
    metrics.accept(request("vertical-lexdraft", "2026-11-20T11:30:00Z", "l1"));
    metrics.accept(request("vertical-lexdraft", "2026-11-20T12:30:00Z", "l2"));
    List<MetricsRow> rows = metrics.result().rows();

    assertThat(
            row(rows, WindowSize.HOUR, "2026-11-20T11:00:00Z", "vertical-lexdraft")
                .controlPointsOwned())
        .isZero();
    assertThat(
            row(rows, WindowSize.HOUR, "2026-11-20T12:00:00Z", "vertical-lexdraft")
                .controlPointsOwned())
        .isEqualTo(1);
    assertThat(
            row(rows, WindowSize.HOUR, "2026-11-20T12:00:00Z", "vertical-lexdraft")
                .registryVersion())
        .isEqualTo(2);
    assertThat(
            row(rows, WindowSize.DAY, "2026-11-20T00:00:00Z", "vertical-lexdraft")
                .controlPointsOwned())
        .isZero();
  }

  @Test
  void shouldIgnoreUnknownGrossInCaptureRate() {
    // A marketplace discloses net and fee but not gross: no capture_rate, yet billing_ownership is
    // known.
    metrics.accept(request("market-routerhub", "2026-11-10T10:00:00Z", "m1"));
    metrics.accept(
        money(
            "market-routerhub",
            "2026-11-10T10:10:00Z",
            BillingKind.CHARGE,
            BilledBy.PARTNER,
            null,
            "0.0500",
            "0.9500"));
    MetricsRow market =
        row(metrics.result().rows(), WindowSize.HOUR, "2026-11-10T10:00:00Z", "market-routerhub");
    assertThat(market.captureRate()).isNull();
    assertThat(market.billingOwnership()).isEqualTo(0.0);
    assertThat(market.revenue().get(0).net()).isEqualByComparingTo("0.95");
  }

  private static MetricsRow row(
      List<MetricsRow> rows, WindowSize size, String start, String channel) {
    return rows.stream()
        .filter(
            r ->
                r.window() == size
                    && r.windowStart().equals(Instant.parse(start))
                    && r.channelId().equals(channel))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + size + " row for " + channel + " at " + start));
  }

  @Test
  void shouldMeasurePartnerConcentrationAndFlagVolumeWithoutControl() {
    // Indirect requests: nimbus 30 (one aggregate), routerhub 10 -> shares 0.75 and 0.25,
    // Herfindahl = 0.75² + 0.25² = 0.625. Direct: consumer-app 5 requests.
    metrics.accept(
        usage(
            "cloud-nimbus",
            "2026-11-10T10:00:00Z",
            "nimbus-cloud",
            null,
            "n1",
            30,
            1,
            1,
            Outcome.SUCCESS,
            TelemetryLevel.NONE));
    for (int i = 0; i < 10; i++) {
      metrics.accept(request("market-routerhub", "2026-11-10T10:1" + i % 10 + ":00Z", "m" + i));
    }
    for (int i = 0; i < 5; i++) {
      metrics.accept(
          usage(
              "consumer-app",
              "2026-11-10T10:20:00Z",
              "a",
              "x" + i,
              "c" + i,
              1,
              1,
              1,
              Outcome.SUCCESS,
              TelemetryLevel.FULL));
    }
    metrics.accept(
        money(
            "cloud-nimbus",
            "2026-11-10T10:59:00Z",
            BillingKind.CHARGE,
            BilledBy.PARTNER,
            "10.0000",
            "2.0000",
            "8.0000"));
    metrics.accept(
        money(
            "consumer-app",
            "2026-11-10T10:59:00Z",
            BillingKind.CHARGE,
            BilledBy.LAB,
            "1.0000",
            "0",
            "1.0000"));

    WindowSummary hour =
        metrics.result().windows().stream()
            .filter(
                w ->
                    w.window() == WindowSize.HOUR
                        && w.windowStart().equals(Instant.parse("2026-11-10T10:00:00Z")))
            .findFirst()
            .orElseThrow();

    assertThat(hour.requests()).isEqualTo(30 + 10 + 5);
    assertThat(hour.partnerConcentration()).isCloseTo(0.625, within(EPS));
    // Three channels with requests: the top quartile is the ceil(3/4) = 1 largest, nimbus, whose
    // control_score (0/6 + 0 + 0) / 3 = 0 is below 0.34.
    assertThat(hour.volumeWithoutControl()).containsExactly("cloud-nimbus");
  }
}
