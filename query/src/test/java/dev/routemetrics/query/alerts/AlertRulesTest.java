package dev.routemetrics.query.alerts;

import static dev.routemetrics.query.alerts.HandMadeInputs.money;
import static dev.routemetrics.query.alerts.HandMadeInputs.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.routemetrics.schemas.windows.WindowSize;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each rule fires on hand-made windows and resolves when they change; the evaluator's state
 * between.
 */
class AlertRulesTest {

  static final Instant H10 = Instant.parse("2026-11-01T10:00:00Z");
  final HandMadeInputs inputs = new HandMadeInputs();
  final HandMadeInputs.TestClock clock = new HandMadeInputs.TestClock(H10);
  final List<Alert> published = new ArrayList<>();

  AlertEvaluator evaluator(Rule rule) {
    return new AlertEvaluator(List.of(rule), inputs, List.of(published::add), 10, clock);
  }

  @Test
  void
      shouldFireVolumeWithoutControlOnATopQuartileChannelWithLowControlAndResolveWhenItLeavesTheTopQuartile() {
    AlertEvaluator alerts = evaluator(new VolumeWithoutControlRule(WindowSize.HOUR, 2));
    // 10:00: cloud-nimbus 800 of 1000 requests = 80%, the ceil(2/4) = 1 busiest channel. Its
    // control score is
    // (0/6 control points + 0/800 identified + 0/100 net billed by the lab) / 3 = 0 < 0.34.
    inputs.put(
        WindowSize.HOUR, usage(H10, "cloud-nimbus", "CLOUD_PARTNER", "nimbus", 0, 800, 0, 0, H10));
    inputs.put(WindowSize.HOUR, usage(H10, "api-public", "DIRECT_API", null, 6, 200, 200, 0, H10));
    inputs
        .revenue
        .get(WindowSize.HOUR)
        .add(money(H10, "cloud-nimbus", "CLOUD_PARTNER", "nimbus", "100", "0"));
    inputs
        .revenue
        .get(WindowSize.HOUR)
        .add(money(H10, "api-public", "DIRECT_API", null, "50", "50"));
    clock.now = H10.plus(Duration.ofMinutes(30));

    List<Alert> fired = alerts.evaluate();

    assertThat(fired)
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.state()).isEqualTo(Alert.State.FIRING);
              assertThat(a.rule()).isEqualTo("volume-without-control");
              assertThat(a.subject()).isEqualTo("cloud-nimbus");
              assertThat(a.value()).isEqualTo(0.0);
              assertThat(a.threshold()).isEqualTo(0.34);
              assertThat(a.detail()).contains("80.0%");
            });
    assertThat(alerts.evaluate()).as("still firing: no new transition").isEmpty();

    // 11:00: api-public has 900 of 1000 and is the top quartile now; its score is (6/6 + 1 + 1) / 3
    // = 1.
    Instant h11 = H10.plus(Duration.ofHours(1));
    inputs.put(
        WindowSize.HOUR, usage(h11, "cloud-nimbus", "CLOUD_PARTNER", "nimbus", 0, 100, 0, 0, h11));
    inputs.put(WindowSize.HOUR, usage(h11, "api-public", "DIRECT_API", null, 6, 900, 900, 0, h11));
    inputs
        .revenue
        .get(WindowSize.HOUR)
        .add(money(h11, "cloud-nimbus", "CLOUD_PARTNER", "nimbus", "10", "0"));
    inputs
        .revenue
        .get(WindowSize.HOUR)
        .add(money(h11, "api-public", "DIRECT_API", null, "90", "90"));
    clock.now = h11.plus(Duration.ofMinutes(30));

    assertThat(alerts.evaluate())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.state()).isEqualTo(Alert.State.RESOLVED);
              assertThat(a.subject()).isEqualTo("cloud-nimbus");
              assertThat(a.since()).isEqualTo(H10.plus(Duration.ofMinutes(30)));
              assertThat(a.at()).isEqualTo(clock.now);
            });
    assertThat(published)
        .extracting(Alert::state)
        .containsExactly(Alert.State.FIRING, Alert.State.RESOLVED);
    assertThat(alerts.snapshot().active()).isEmpty();
    assertThat(alerts.snapshot().recent())
        .extracting(Alert::state)
        .containsExactly(Alert.State.RESOLVED, Alert.State.FIRING);
  }

  @Test
  void
      shouldFireWhenYesterdaysFeedbackCoverageFallsMoreThanTheBoundBelowTheTrailingWeekAndResolveAsLateFeedbackArrives() {
    AlertEvaluator alerts = evaluator(new FeedbackCoverageDropRule(0.5, 7, 1, 100));
    Instant day = Instant.parse("2026-11-08T00:00:00Z");
    for (int d = 1;
        d <= 7;
        d++) { // 2026-11-01..07: 400 of 1000 requests covered each day, 2800/7000 = 40%
      inputs.put(
          WindowSize.DAY,
          usage(
              day.minus(Duration.ofDays(d)), "app", "CONSUMER_APP", null, 6, 1000, 1000, 400, day));
    }
    // 2026-11-08: 100/1000 = 10%; drop = (0.40 − 0.10) / 0.40 = 0.75 > 0.5.
    inputs.put(WindowSize.DAY, usage(day, "app", "CONSUMER_APP", null, 6, 1000, 1000, 100, day));
    // Today's partial day is not judged (lag 1): a 0% today must not matter.
    inputs.put(
        WindowSize.DAY,
        usage(day.plus(Duration.ofDays(1)), "app", "CONSUMER_APP", null, 6, 1000, 1000, 0, day));
    clock.now = Instant.parse("2026-11-09T06:00:00Z");

    assertThat(alerts.evaluate())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.state()).isEqualTo(Alert.State.FIRING);
              assertThat(a.subject()).isEqualTo("app");
              assertThat(a.value()).isCloseTo(0.75, within(1e-9));
              assertThat(a.detail()).contains("10.0% (100/1000)", "40.0% (2800/7000)");
            });

    // Late feedback: 300/1000 = 30% covered; drop = (0.40 − 0.30) / 0.40 = 0.25 ≤ 0.5.
    inputs.put(WindowSize.DAY, usage(day, "app", "CONSUMER_APP", null, 6, 1000, 1000, 300, day));
    clock.now = Instant.parse("2026-11-09T07:00:00Z");

    assertThat(alerts.evaluate())
        .singleElement()
        .extracting(Alert::state)
        .isEqualTo(Alert.State.RESOLVED);
  }

  @Test
  void shouldNotJudgeFeedbackCoverageOnFewerRequestsThanTheMinimum() throws Exception {
    Instant day = Instant.parse("2026-11-08T00:00:00Z");
    inputs.put(
        WindowSize.DAY,
        usage(day.minus(Duration.ofDays(1)), "tiny", "CONSUMER_APP", null, 6, 50, 50, 40, day));
    inputs.put(WindowSize.DAY, usage(day, "tiny", "CONSUMER_APP", null, 6, 50, 50, 0, day));

    assertThat(
            new FeedbackCoverageDropRule(0.5, 7, 1, 100)
                .evaluate(inputs, Instant.parse("2026-11-09T06:00:00Z")))
        .isEmpty();
  }

  @Test
  void
      shouldFireWhenAStatementDiffersFromMeteredUsageByMoreThanTheBoundAndResolveWhenLateUsageCatchesUp() {
    AlertEvaluator alerts = evaluator(new StatementMismatchRule(2.0, 62));
    Instant nov1 = Instant.parse("2026-11-01T00:00:00Z");
    for (int d = 0;
        d < 3;
        d++) { // metered: 3 × 1000 requests, 3 × 100.00 USD net on nimbus's channel
      Instant day = nov1.plus(Duration.ofDays(d));
      inputs.put(
          WindowSize.DAY,
          usage(day, "cloud-nimbus", "CLOUD_PARTNER", "nimbus", 0, 1000, 0, 0, day));
      inputs
          .revenue
          .get(WindowSize.DAY)
          .add(money(day, "cloud-nimbus", "CLOUD_PARTNER", "nimbus", "100.00", "0"));
    }
    // Another partner's traffic in the same days is not nimbus's.
    inputs.put(
        WindowSize.DAY, usage(nov1, "router-x", "MARKETPLACE", "routerx", 0, 5000, 0, 0, nov1));
    inputs.statements.add(
        new AlertInputs.PartnerStatement(
            "st-11",
            "nimbus",
            nov1,
            nov1.plus(Duration.ofDays(3)),
            3100,
            "USD",
            new BigDecimal("300.00")));
    clock.now = Instant.parse("2026-11-04T09:00:00Z");

    // requests: |3100 − 3000| / 3000 = 3.33% > 2%; net: |300 − 300| / 300 = 0%.
    assertThat(alerts.evaluate())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.state()).isEqualTo(Alert.State.FIRING);
              assertThat(a.subject()).isEqualTo("nimbus/st-11");
              assertThat(a.value()).isCloseTo(100.0 / 3000 * 100, within(1e-9));
              assertThat(a.unit()).isEqualTo("percent");
            });

    // nimbus's late aggregate for Nov 3 arrives: 1100 there, 3100 in all: 0%.
    Instant nov3 = nov1.plus(Duration.ofDays(2));
    inputs.put(
        WindowSize.DAY,
        usage(nov3, "cloud-nimbus", "CLOUD_PARTNER", "nimbus", 0, 1100, 0, 0, nov3));

    assertThat(alerts.evaluate())
        .singleElement()
        .extracting(Alert::state)
        .isEqualTo(Alert.State.RESOLVED);
  }

  @Test
  void shouldWriteMoneyAsExactDecimalsAndTimesToTheSecondInAlertJsonAndText() {
    AlertEvaluator alerts = evaluator(new StatementMismatchRule(2.0, 62));
    Instant nov1 = Instant.parse("2026-11-01T00:00:00Z");
    // metered: 0.1 + 0.2 USD net, which binary floating point would make 0.30000000000000004
    inputs.put(
        WindowSize.DAY,
        usage(nov1, "cloud-nimbus", "CLOUD_PARTNER", "nimbus", 0, 1000, 0, 0, nov1));
    inputs
        .revenue
        .get(WindowSize.DAY)
        .add(money(nov1, "cloud-nimbus", "CLOUD_PARTNER", "nimbus", "0.1", "0"));
    inputs
        .revenue
        .get(WindowSize.DAY)
        .add(money(nov1, "cloud-nimbus", "CLOUD_PARTNER", "nimbus", "0.2", "0"));
    // stated: 1000 requests and 0.5 USD: |0.5 − 0.3| / 0.3 = 66.67 % > 2 %
    inputs.statements.add(
        new AlertInputs.PartnerStatement(
            "st-7",
            "nimbus",
            nov1,
            nov1.plus(Duration.ofDays(1)),
            1000,
            "USD",
            new BigDecimal("0.5")));
    clock.now = Instant.parse("2026-12-01T20:30:55.892520300Z");

    Alert firing = alerts.evaluate().get(0);

    assertThat(firing.since()).isEqualTo(Instant.parse("2026-12-01T20:30:55Z"));
    assertThat(firing.detail()).contains("net stated 0.5000 vs metered 0.3000 USD (66.67%)");
    String json = AlertJson.write(firing);
    assertThat(json)
        .contains("\"since\":\"2026-12-01T20:30:55Z\"")
        .contains("\"at\":\"2026-12-01T20:30:55Z\"")
        .doesNotContain(".892")
        .doesNotContain("0.30000000000000004");

    inputs.statements.clear();
    clock.now = Instant.parse("2026-12-01T20:31:10.000000001Z");
    Alert resolved = alerts.evaluate().get(0);
    assertThat(AlertJson.write(resolved))
        .contains("\"since\":\"2026-12-01T20:30:55Z\"")
        .contains("\"at\":\"2026-12-01T20:31:10Z\"");
  }

  @Test
  void shouldFireOnAStatementForAPartnerWithNothingMetered() throws Exception {
    Instant nov1 = Instant.parse("2026-11-01T00:00:00Z");
    inputs.statements.add(
        new AlertInputs.PartnerStatement(
            "st-1",
            "ghost",
            nov1,
            nov1.plus(Duration.ofDays(1)),
            10,
            "USD",
            new BigDecimal("1.00")));

    assertThat(new StatementMismatchRule(2.0, 62).evaluate(inputs, nov1.plus(Duration.ofDays(2))))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.value()).isNull();
              assertThat(f.detail()).contains("nothing metered");
            });
  }

  @Test
  void shouldFireWhenAChannelsNewestEventIsOlderThanTheBoundAndResolveWhenEventsArriveAgain() {
    AlertEvaluator alerts = evaluator(new FreshnessRule(900, 8));
    Instant day = Instant.parse("2026-11-01T00:00:00Z");
    inputs.put(
        WindowSize.DAY, usage(day, "cloud-nimbus", "CLOUD_PARTNER", "nimbus", 0, 10, 0, 0, H10));
    inputs.put(
        WindowSize.DAY,
        usage(day, "api-public", "DIRECT_API", null, 6, 10, 10, 0, H10.plusSeconds(1000)));
    clock.now = H10.plus(Duration.ofMinutes(20)); // nimbus: 1200 s > 900; api-public: 200 s

    assertThat(alerts.evaluate())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.subject()).isEqualTo("cloud-nimbus");
              assertThat(a.value()).isEqualTo(1200.0);
            });

    inputs.put(
        WindowSize.DAY,
        usage(
            day,
            "cloud-nimbus",
            "CLOUD_PARTNER",
            "nimbus",
            0,
            12,
            0,
            0,
            H10.plus(Duration.ofMinutes(25))));
    clock.now = H10.plus(Duration.ofMinutes(30)); // nimbus: 300 s; api-public: 800 s

    assertThat(alerts.evaluate())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.subject()).isEqualTo("cloud-nimbus");
              assertThat(a.state()).isEqualTo(Alert.State.RESOLVED);
            });
  }

  @Test
  void shouldKeepAlertsFiringWhileTheirRuleCannotReadItsInputs() {
    AlertEvaluator alerts = evaluator(new FreshnessRule(900, 8));
    inputs.put(
        WindowSize.DAY,
        usage(
            Instant.parse("2026-11-01T00:00:00Z"),
            "cloud-nimbus",
            "CLOUD_PARTNER",
            "nimbus",
            0,
            10,
            0,
            0,
            H10));
    clock.now = H10.plus(Duration.ofHours(1));
    assertThat(alerts.evaluate()).hasSize(1);

    inputs.failure = new java.sql.SQLException("ClickHouse is down");

    assertThat(alerts.evaluate()).isEmpty();
    assertThat(alerts.snapshot().active())
        .extracting(Alert::subject)
        .containsExactly("cloud-nimbus");
    assertThat(alerts.snapshot().failingRules()).containsKey("freshness");
  }

  @Test
  void shouldLoadTheShippedRulesAndRejectAnUnknownKeyByName() throws Exception {
    AlertRules defaults = AlertRules.defaults();
    assertThat(defaults.rules())
        .extracting(Rule::name)
        .containsExactly(
            "volume-without-control", "feedback-coverage-drop", "statement-mismatch", "freshness");
    assertThat(defaults.topic()).isEqualTo("alerts");
    assertThat(defaults.freshness().maxSeconds()).isEqualTo(900);

    String shipped =
        new String(
            AlertRules.class.getResourceAsStream("/alerts/alerts.json").readAllBytes(),
            StandardCharsets.UTF_8);
    String unknown = shipped.replace("\"max_seconds\"", "\"max_secs\": 60, \"max_seconds\"");
    assertThatThrownBy(() -> AlertRules.parse(unknown.getBytes(StandardCharsets.UTF_8), "test"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max_secs");
    String missing = shipped.replace("\"max_seconds\": 900,", "");
    assertThatThrownBy(() -> AlertRules.parse(missing.getBytes(StandardCharsets.UTF_8), "test"))
        .hasMessageContaining("max_seconds");
    String badDrop = shipped.replace("\"max_drop\": 0.5", "\"max_drop\": 1.5");
    assertThatThrownBy(() -> AlertRules.parse(badDrop.getBytes(StandardCharsets.UTF_8), "test"))
        .hasMessageContaining("max_drop must be in (0, 1)");
  }
}
