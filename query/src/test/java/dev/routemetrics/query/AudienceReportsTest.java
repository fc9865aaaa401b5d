package dev.routemetrics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The audience reports over hand-made windows; every expected number is worked out in the comments.
 */
class AudienceReportsTest {

  static final Instant W = Instant.parse("2026-11-01T00:00:00Z");

  static ChannelWindow.Usage usage(
      String channel,
      String route,
      String partner,
      int owned,
      long requests,
      long identified,
      long errors,
      long trainable,
      long covered,
      long full,
      Double p95,
      Instant newest) {
    return new ChannelWindow.Usage(
        W,
        channel,
        route,
        partner,
        owned,
        requests,
        requests,
        0,
        0,
        1,
        identified > 0 ? 1 : 0,
        identified,
        errors,
        100.0,
        p95,
        900.0,
        full,
        trainable + 1,
        trainable,
        covered,
        newest);
  }

  static ChannelWindow.Money money(
      String channel,
      String route,
      String currency,
      String gross,
      String grossNet,
      String fee,
      String net,
      String labNet) {
    return new ChannelWindow.Money(
        W,
        channel,
        currency,
        route,
        null,
        1,
        new BigDecimal(gross),
        new BigDecimal(grossNet),
        new BigDecimal(fee),
        new BigDecimal(net),
        new BigDecimal(labNet));
  }

  // Four channels, 1000 requests in the window.
  static final List<ChannelWindow.Usage> WINDOW =
      List.of(
          usage(
              "consumer-app",
              "CONSUMER_APP",
              null,
              6,
              100,
              100,
              2,
              30,
              40,
              100,
              800.0,
              W.plusSeconds(3000)),
          usage(
              "direct-api",
              "DIRECT_API",
              null,
              3,
              100,
              20,
              10,
              10,
              15,
              50,
              1200.0,
              W.plusSeconds(3500)),
          usage(
              "cloud-nimbus",
              "CLOUD_PARTNER",
              "nimbus-cloud",
              0,
              600,
              0,
              6,
              0,
              0,
              0,
              2000.0,
              W.plusSeconds(100)),
          usage(
              "market-routerhub",
              "MARKETPLACE",
              "routerhub",
              0,
              200,
              0,
              40,
              2,
              5,
              0,
              3000.0,
              W.plusSeconds(3590)));

  static final List<ChannelWindow.Money> REVENUE =
      List.of(
          money("consumer-app", "CONSUMER_APP", "USD", "100", "100", "0", "100", "100"),
          money("cloud-nimbus", "CLOUD_PARTNER", "USD", "500", "400", "100", "400", "0"),
          money("cloud-nimbus", "CLOUD_PARTNER", "EUR", "0", "0", "0", "50", "25"),
          money("market-routerhub", "MARKETPLACE", "USD", "0", "0", "10", "90", "0"));

  @Test
  void shouldScoreReachAgainstControlAndFlagVolumeWithoutControl() {
    ReachControl.Window window = ReachControl.compute(WINDOW, REVENUE).get(0);

    // Shares: 100/1000, 100/1000, 600/1000, 200/1000 = 0.1, 0.1, 0.6, 0.2.
    // Top quartile: the ceil(4/4) = 1 busiest channel: cloud-nimbus.
    ReachControl.Row consumer = window.channels().get(0);
    ReachControl.Row nimbus = window.channels().get(2);
    ReachControl.Row router = window.channels().get(3);
    assertThat(nimbus.requestShare()).isCloseTo(0.6, within(1e-12));
    assertThat(nimbus.topQuartile()).isTrue();
    assertThat(router.topQuartile()).isFalse();
    assertThat(consumer.topQuartile()).isFalse();

    // consumer-app: (6/6 + 100/100 + 100/100) / 3 = 1.0
    assertThat(consumer.controlScore()).isCloseTo(1.0, within(1e-12));
    // cloud-nimbus billing ownership: mean over currencies of lab net / net: USD 0/400 = 0, EUR
    // 25/50 = 0.5 -> 0.25.
    // control score: (0/6 + 0/600 + 0.25) / 3 = 0.08333...; top quartile and < 0.34: volume without
    // control.
    assertThat(nimbus.billingOwnership()).isCloseTo(0.25, within(1e-12));
    assertThat(nimbus.controlScore()).isCloseTo(0.25 / 3, within(1e-12));
    assertThat(nimbus.volumeWithoutControl()).isTrue();
    // market-routerhub: (0 + 0 + 0/90) / 3 = 0, but second busiest of four: not in the top
    // quartile, not flagged.
    assertThat(router.controlScore()).isZero();
    assertThat(router.volumeWithoutControl()).isFalse();
    // direct-api has no revenue row: billing ownership unknown, so no control score and no flag.
    assertThat(window.channels().get(1).controlScore()).isNull();
    // Partner concentration over indirect requests 600 + 200 = 800: (600/800)^2 + (200/800)^2 =
    // 0.5625 + 0.0625 = 0.625.
    assertThat(window.partnerConcentration()).isCloseTo(0.625, within(1e-12));
    // Net revenue per currency, never added across currencies; none for a channel without revenue
    // rows.
    assertThat(nimbus.netRevenue())
        .containsExactly(
            java.util.Map.entry("EUR", new BigDecimal("50")),
            java.util.Map.entry("USD", new BigDecimal("400")));
    assertThat(window.channels().get(1).netRevenue()).isEmpty();
  }

  @Test
  void shouldMeasureTheLearningLostToIndirectRoutesAgainstTheDirectRoutesPooled() {
    List<Learning.Row> rows = Learning.compute(WINDOW);

    // Direct pooled trainable rate: (30 + 10) / (100 + 100) = 0.2.
    Learning.Row router = rows.get(3);
    assertThat(router.directTrainableRate()).isCloseTo(0.2, within(1e-12));
    // market-routerhub: trainable rate 2/200 = 0.01; loss 1 - 0.01/0.2 = 0.95; lost signals 0.2 *
    // 200 - 2 = 38.
    assertThat(router.trainableRate()).isCloseTo(0.01, within(1e-12));
    assertThat(router.learningLoss()).isCloseTo(0.95, within(1e-12));
    assertThat(router.lostSignals()).isCloseTo(38.0, within(1e-9));
    assertThat(router.feedbackCoverage()).isCloseTo(5.0 / 200, within(1e-12));
    // consumer-app: rate 30/100 = 0.3 > 0.2: loss 1 - 1.5 = -0.5 clipped to 0; lost max(0, 20 - 30)
    // = 0.
    assertThat(rows.get(0).learningLoss()).isZero();
    assertThat(rows.get(0).lostSignals()).isZero();
    // cloud-nimbus: no trainable feedback at all: loss 1, lost 0.2 * 600 = 120.
    assertThat(rows.get(2).learningLoss()).isCloseTo(1.0, within(1e-12));
    assertThat(rows.get(2).lostSignals()).isCloseTo(120.0, within(1e-9));
  }

  @Test
  void shouldMarkChannelsWhoseErrorsOrStalenessPassTheBounds() {
    Instant now = W.plusSeconds(3600);
    List<Health.Row> rows =
        Health.compute(WINDOW, now, new Health.Bounds(0.05, Duration.ofMinutes(15)));

    // Sorted by route then channel: CLOUD_PARTNER, CONSUMER_APP, DIRECT_API, MARKETPLACE.
    assertThat(rows)
        .extracting(Health.Row::channelId)
        .containsExactly("cloud-nimbus", "consumer-app", "direct-api", "market-routerhub");
    // cloud-nimbus: errors 6/600 = 1% fine, but its newest event is 3600 - 100 = 3500 s old > 900
    // s.
    assertThat(rows.get(0).freshnessSeconds()).isEqualTo(3500);
    assertThat(rows.get(0).unhealthy()).isTrue();
    assertThat(rows.get(0).why()).isEqualTo("no event for 3500 s > 900 s");
    // consumer-app: 2/100 = 2% errors, 600 s fresh: healthy.
    assertThat(rows.get(1).unhealthy()).isFalse();
    // market-routerhub: 40/200 = 20% errors.
    assertThat(rows.get(3).errorRate()).isCloseTo(0.2, within(1e-12));
    assertThat(rows.get(3).why()).isEqualTo("error rate 20.0% > 5.0%");
    assertThat(rows.get(3).worstP95Ms()).isEqualTo(3000.0);
  }

  @Test
  void shouldSplitRevenueIntoDirectAndPartnerPerCurrencyWithExactAmounts() {
    List<Finance.Row> rows = Finance.compute(REVENUE, Finance.Period.MONTH);

    // Keys sort as period|currency|side: EUR partner, USD direct, USD partner.
    assertThat(rows)
        .extracting(r -> r.currency() + " " + r.side())
        .containsExactly("EUR partner", "USD direct", "USD partner");
    Finance.Row usdPartner = rows.get(2);
    // USD partner: gross 500 + 0 = 500; fee 100 + 10 = 110; net 400 + 90 = 490; take 110/500 =
    // 0.22; capture 400/500 = 0.8.
    assertThat(usdPartner.gross()).isEqualByComparingTo("500");
    assertThat(usdPartner.partnerFee()).isEqualByComparingTo("110");
    assertThat(usdPartner.net()).isEqualByComparingTo("490");
    assertThat(usdPartner.partnerTake()).isCloseTo(0.22, within(1e-12));
    assertThat(usdPartner.captureRate()).isCloseTo(0.8, within(1e-12));
    assertThat(usdPartner.periodStart()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
    // EUR partner: gross unknown (0): no take, no capture rate.
    assertThat(rows.get(0).captureRate()).isNull();
  }
}
