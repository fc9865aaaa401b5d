package dev.routemetrics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/domain.md#what-if over hand-made windows: 20 % of cloud-nimbus's requests moved to
 * direct-api.
 *
 * <pre>
 * 10:00  channel        route          cp  requests identified trainable | USD net  fee  lab-billed
 *        direct-api     DIRECT_API     6   400      400        40        | 500      0    500
 *        consumer-app   CONSUMER_APP   6   100      50         20        | –
 *        cloud-nimbus   CLOUD_PARTNER  0   300      0          3         | 700      300  0
 *        cloud-stratus  CLOUD_PARTNER  1   200      20         10        | 320      80   0
 * 11:00  direct-api     DIRECT_API     6   3        3          0         | USD 1 net, 0 fee, 1 lab
 *        cloud-nimbus   CLOUD_PARTNER  0   7        0          0         | USD 10.0001 net 3.3333 fee; EUR 5 net 1 fee
 * 12:00  cloud-nimbus   CLOUD_PARTNER  0   50       0          0         | – (direct-api has no requests)
 * </pre>
 */
class WhatIfTest {

  private static final Instant W1 = Instant.parse("2026-11-10T10:00:00Z");
  private static final Instant W2 = Instant.parse("2026-11-10T11:00:00Z");
  private static final Instant W3 = Instant.parse("2026-11-10T12:00:00Z");

  private static ChannelWindow.Usage usage(
      Instant w,
      String channel,
      String route,
      int cp,
      long requests,
      long identified,
      long trainable) {
    return new ChannelWindow.Usage(
        w,
        channel,
        route,
        route.startsWith("CLOUD") ? channel : null,
        cp,
        requests,
        requests,
        0,
        0,
        1,
        0,
        identified,
        0,
        null,
        null,
        null,
        0,
        trainable,
        trainable,
        trainable,
        w);
  }

  private static ChannelWindow.Money money(
      Instant w,
      String channel,
      String route,
      String currency,
      String net,
      String fee,
      String lab) {
    return new ChannelWindow.Money(
        w,
        channel,
        currency,
        route,
        null,
        1,
        new BigDecimal(net).add(new BigDecimal(fee)),
        new BigDecimal(net),
        new BigDecimal(fee),
        new BigDecimal(net),
        new BigDecimal(lab));
  }

  private static final List<ChannelWindow.Usage> USAGE =
      List.of(
          usage(W1, "direct-api", "DIRECT_API", 6, 400, 400, 40),
          usage(W1, "consumer-app", "CONSUMER_APP", 6, 100, 50, 20),
          usage(W1, "cloud-nimbus", "CLOUD_PARTNER", 0, 300, 0, 3),
          usage(W1, "cloud-stratus", "CLOUD_PARTNER", 1, 200, 20, 10),
          usage(W2, "direct-api", "DIRECT_API", 6, 3, 3, 0),
          usage(W2, "cloud-nimbus", "CLOUD_PARTNER", 0, 7, 0, 0),
          usage(W3, "cloud-nimbus", "CLOUD_PARTNER", 0, 50, 0, 0));

  private static final List<ChannelWindow.Money> REVENUE =
      List.of(
          money(W1, "direct-api", "DIRECT_API", "USD", "500", "0", "500"),
          money(W1, "cloud-nimbus", "CLOUD_PARTNER", "USD", "700", "300", "0"),
          money(W1, "cloud-stratus", "CLOUD_PARTNER", "USD", "320", "80", "0"),
          money(W2, "direct-api", "DIRECT_API", "USD", "1", "0", "1"),
          money(W2, "cloud-nimbus", "CLOUD_PARTNER", "USD", "10.0001", "3.3333", "0"),
          money(W2, "cloud-nimbus", "CLOUD_PARTNER", "EUR", "5", "1", "0"));

  private static final WhatIf.Shift SHIFT =
      new WhatIf.Shift("cloud-nimbus", "direct-api", new BigDecimal("0.2"));

  @Test
  void shouldGiveShiftedRequestsTheTargetsRatiosPerWindowAndForThePeriod() {
    List<WhatIf.Row> rows = WhatIf.compute(USAGE, REVENUE, SHIFT);

    assertThat(rows)
        .extracting(WhatIf.Row::scope)
        .containsExactly("WINDOW", "WINDOW", "WINDOW", "PERIOD");

    // 10:00. m = 0.2 × 300 = 60.
    // Scores: direct-api (6/6 + 400/400 + 500/500) / 3 = 1; consumer-app none (no revenue: no
    // billing ownership);
    // cloud-nimbus (0 + 0 + 0) / 3 = 0; cloud-stratus (1/6 + 20/200 + 0) / 3 = 0.0888…
    double stratus = (1.0 / 6 + 0.1 + 0) / 3;
    WhatIf.Row w1 = rows.get(0);
    assertThat(w1.windowStart()).isEqualTo(W1);
    assertThat(w1.movedRequests()).isCloseTo(60.0, within(1e-9));
    // Weighted over the scored channels (400 + 300 + 200 = 900 requests):
    // before (400 × 1 + 300 × 0 + 200 × s) / 900, after (460 × 1 + 240 × 0 + 200 × s) / 900.
    assertThat(w1.controlScoreBefore()).isCloseTo((400 + 200 * stratus) / 900, within(1e-12));
    assertThat(w1.controlScoreAfter()).isCloseTo((460 + 200 * stratus) / 900, within(1e-12));
    assertThat(w1.controlScoreChange()).isCloseTo(60.0 / 900, within(1e-12));
    // Net: 60 × 500 / 400 − 0.2 × 700 = 75 − 140 = −65; fees: 60 × 0 / 400 − 0.2 × 300 = −60.
    assertThat(w1.netRevenueChange()).isEqualTo(Map.of("USD", new BigDecimal("-65.0000")));
    assertThat(w1.partnerFeeChange()).isEqualTo(Map.of("USD", new BigDecimal("-60.0000")));
    // Identity-visible: 60 × (400/400 − 0/300) = 60.
    assertThat(w1.identityVisibleChange()).isCloseTo(60.0, within(1e-9));
    // Lost signals over the indirect channels.
    // Before: direct pool (40 + 20) / (400 + 100) = 0.12; nimbus 0.12 × 300 − 3 = 33, stratus 0.12
    // × 200 − 10 = 14: 47.
    // After: direct-api 460 requests, 40 + 60 × 40/400 = 46 trainable; pool (46 + 20) / (460 + 100)
    // = 66/560;
    // nimbus 240 requests, 3 × 0.8 = 2.4 trainable: 66/560 × 240 − 2.4; stratus 66/560 × 200 − 10.
    double after = (66.0 / 560 * 240 - 2.4) + (66.0 / 560 * 200 - 10);
    assertThat(w1.lostSignalsChange()).isCloseTo(after - 47, within(1e-9));
    assertThat(after - 47).isCloseTo(-7.542857, within(1e-6));

    // 11:00. m = 0.2 × 7 = 1.4. Scores: direct-api (1 + 1 + 1/1) / 3 = 1; nimbus 0 (USD and EUR
    // both 0 billed by the lab).
    WhatIf.Row w2 = rows.get(1);
    assertThat(w2.movedRequests()).isCloseTo(1.4, within(1e-9));
    assertThat(w2.controlScoreBefore()).isCloseTo(3.0 / 10, within(1e-12));
    assertThat(w2.controlScoreAfter()).isCloseTo(4.4 / 10, within(1e-12));
    // USD net: 1.4 × 1 / 3 − 0.2 × 10.0001 = 0.46666… − 2.00002 = −1.53335333… → −1.5334 (half
    // even, four places).
    // EUR net: direct-api has none: 0 − 0.2 × 5 = −1. Fees: USD 0 − 0.2 × 3.3333 = −0.66666 →
    // −0.6667; EUR −0.2.
    assertThat(w2.netRevenueChange())
        .isEqualTo(Map.of("EUR", new BigDecimal("-1.0000"), "USD", new BigDecimal("-1.5334")));
    assertThat(w2.partnerFeeChange())
        .isEqualTo(Map.of("EUR", new BigDecimal("-0.2000"), "USD", new BigDecimal("-0.6667")));
    assertThat(w2.identityVisibleChange()).isCloseTo(1.4, within(1e-9));
    // Direct pool 0 / 3 = 0 before and 0 / 4.4 after: nothing lost either way.
    assertThat(w2.lostSignalsChange()).isCloseTo(0.0, within(1e-12));

    // 12:00: direct-api has no requests: no ratios to give, changes null, left out of the period.
    WhatIf.Row w3 = rows.get(2);
    assertThat(w3.controlScoreChange()).isNull();
    assertThat(w3.netRevenueChange()).isEmpty();
    assertThat(w3.note()).contains("no requests");

    // The period: sums of the two evaluated windows; control weighted over both (900 + 10
    // requests).
    WhatIf.Row period = rows.get(3);
    assertThat(period.windowStart()).isNull();
    assertThat(period.movedRequests()).isCloseTo(61.4, within(1e-9));
    assertThat(period.controlScoreBefore())
        .isCloseTo((400 + 200 * stratus + 3) / 910, within(1e-12));
    assertThat(period.controlScoreAfter())
        .isCloseTo((460 + 200 * stratus + 4.4) / 910, within(1e-12));
    assertThat(period.controlScoreChange()).isCloseTo(61.4 / 910, within(1e-12));
    // −65 − 1.5334 = −66.5334 USD, −1 EUR; fees −60 − 0.6667 = −60.6667 USD, −0.2 EUR.
    assertThat(period.netRevenueChange())
        .isEqualTo(Map.of("EUR", new BigDecimal("-1.0000"), "USD", new BigDecimal("-66.5334")));
    assertThat(period.partnerFeeChange())
        .isEqualTo(Map.of("EUR", new BigDecimal("-0.2000"), "USD", new BigDecimal("-60.6667")));
    assertThat(period.identityVisibleChange()).isCloseTo(61.4, within(1e-9));
    assertThat(period.lostSignalsChange()).isCloseTo(after - 47, within(1e-9));
    assertThat(period.note())
        .isEqualTo("2 window(s) evaluated, 1 without target requests left out");
  }

  @Test
  void shouldRefuseATargetThatIsNotDirectAndAShiftOutsideZeroToOne() {
    assertThatThrownBy(
            () ->
                WhatIf.compute(
                    USAGE,
                    REVENUE,
                    new WhatIf.Shift("cloud-nimbus", "cloud-stratus", BigDecimal.ONE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("to: 'cloud-stratus' is on route CLOUD_PARTNER");
    assertThatThrownBy(() -> new WhatIf.Shift("cloud-nimbus", "direct-api", new BigDecimal("1.5")))
        .hasMessageStartingWith("shift: must be a fraction between 0 and 1");
    assertThatThrownBy(() -> new WhatIf.Shift("direct-api", "direct-api", BigDecimal.ONE))
        .hasMessageStartingWith("to: must differ");
  }
}
