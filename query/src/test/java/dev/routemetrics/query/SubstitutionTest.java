package dev.routemetrics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The substitution-risk fit on hand-made windows with a known exact solution: requests generated as
 * exp(a − e_lat × ln p95 − e_price × ln price + hour effect) exactly, so least squares must give
 * back e_lat and e_price with standard errors of (numerically) zero.
 */
class SubstitutionTest {

  private static final Instant START = Instant.parse("2026-11-01T00:00:00Z");

  /**
   * A deterministic, non-periodic wobble, so ln p95 and ln price vary apart from the hour of day
   * and each other.
   */
  private static double wobble(int i, double a, double b) {
    return Math.sin(a * i) + 0.5 * Math.cos(b * i * i % 97);
  }

  private static double hourEffect(int hour) {
    return 0.8 * Math.sin(2 * Math.PI * hour / 24.0);
  }

  @Test
  void shouldRecoverTheElasticitiesOfExactlyGeneratedWindows() {
    int n = 96;
    double[] requests = new double[n];
    double[] p95 = new double[n];
    double[] price = new double[n];
    int[] hour = new int[n];
    for (int i = 0; i < n; i++) {
      hour[i] = i % 24;
      p95[i] = 800 * Math.exp(0.3 * wobble(i, 0.7, 0.3));
      price[i] = 0.01 * Math.exp(0.2 * wobble(i, 1.3, 0.11));
      requests[i] =
          Math.exp(9 - 1.5 * Math.log(p95[i]) - 0.8 * Math.log(price[i]) + hourEffect(hour[i]));
    }

    ElasticityFit.Result fit = ElasticityFit.fit(requests, p95, price, hour);

    // Slopes −1.5 and −0.8, flipped: +1.5 and +0.8; the fit is exact, so the residuals and errors
    // are ~0.
    assertThat(fit.windows()).isEqualTo(96);
    assertThat(fit.latency()).isCloseTo(1.5, within(1e-9));
    assertThat(fit.price()).isCloseTo(0.8, within(1e-9));
    assertThat(fit.latencyError()).isLessThan(1e-6);
    assertThat(fit.priceError()).isLessThan(1e-6);

    // Without the price term the same latency reaction, when price does not move.
    double[] flat = new double[n];
    for (int i = 0; i < n; i++) {
      flat[i] = Math.exp(9 - 1.5 * Math.log(p95[i]) + hourEffect(hour[i]));
    }
    ElasticityFit.Result latencyOnly = ElasticityFit.fit(flat, p95, null, hour);
    assertThat(latencyOnly.latency()).isCloseTo(1.5, within(1e-9));
    assertThat(latencyOnly.price()).isNull();
  }

  @Test
  void shouldReportNoiseWithAStandardErrorAndNothingBelow48Windows() {
    // Noise of ±0.1 in ln(requests), alternating, on top of elasticity 2: the estimate moves off 2,
    // the error is > 0.
    int n = 72;
    double[] requests = new double[n];
    double[] p95 = new double[n];
    int[] hour = new int[n];
    for (int i = 0; i < n; i++) {
      hour[i] = i % 24;
      p95[i] = 500 * Math.exp(0.4 * wobble(i, 0.9, 0.2));
      requests[i] =
          Math.exp(20 - 2 * Math.log(p95[i]) + hourEffect(hour[i]) + (i % 2 == 0 ? 0.1 : -0.1));
    }
    ElasticityFit.Result fit = ElasticityFit.fit(requests, p95, null, hour);
    assertThat(fit.latency()).isCloseTo(2, within(0.2));
    assertThat(fit.latencyError()).isGreaterThan(0).isLessThan(0.2);

    assertThat(
            ElasticityFit.fit(
                java.util.Arrays.copyOf(requests, 47),
                java.util.Arrays.copyOf(p95, 47),
                null,
                java.util.Arrays.copyOf(hour, 47)))
        .isNull();
    // p95 that only follows the hour of day cannot be told apart from the daily cycle.
    double[] cyclic = new double[n];
    for (int i = 0; i < n; i++) {
      cyclic[i] = 500 + 10 * hour[i];
    }
    assertThat(ElasticityFit.fit(requests, cyclic, null, hour)).isNull();
  }

  private static ChannelWindow.Usage hourRow(
      Instant w, String channel, String route, long requests, double p95) {
    return new ChannelWindow.Usage(
        w, channel, route, null, 0, requests, requests, 0, 0, 1, 0, 0, 0, p95 / 2, p95, p95 * 2, 0,
        0, 0, 0, w);
  }

  @Test
  void shouldFlagRentedVolumeAndMeasureShareVolatilityOverDailyShares() {
    // 4 days × 24 hours. market: 1000 requests at p95 800 times exp(−1.5 × ln(p95/800)) with a
    // wobbling p95, net
    // 0.01 per request (constant: ln price does not vary, so the price term cannot be fit... it is
    // collinear with the
    // hour indicators, and the fit would be null: give it no revenue instead, price term left out).
    // steady: 3000 requests every hour, p95 wobbling, no reaction: elasticity 0 exactly.
    List<ChannelWindow.Usage> usage = new ArrayList<>();
    List<ChannelWindow.Money> revenue = new ArrayList<>();
    for (int i = 0; i < 96; i++) {
      Instant w = START.plus(Duration.ofHours(i));
      double p95 = 800 * Math.exp(0.3 * wobble(i, 0.7, 0.3));
      usage.add(
          hourRow(w, "market", "MARKETPLACE", Math.round(1e6 * Math.pow(p95 / 800, -1.5)), p95));
      usage.add(
          hourRow(w, "steady", "DIRECT_API", 3000, 900 * Math.exp(0.2 * wobble(i, 0.5, 0.7))));
      revenue.add(
          new ChannelWindow.Money(
              w,
              "steady",
              "USD",
              "DIRECT_API",
              null,
              1,
              new BigDecimal("30"),
              new BigDecimal("30"),
              BigDecimal.ZERO,
              new BigDecimal(i % 5 < 2 ? "30" : "33"),
              new BigDecimal("30")));
    }

    List<Substitution.Row> rows = Substitution.compute(usage, revenue);

    Substitution.Row market = rows.get(0);
    assertThat(market.channelId()).isEqualTo("market");
    assertThat(market.windows()).isEqualTo(96);
    // Rounded to whole requests out of ~10^6: the fit is off by no more than rounding allows.
    assertThat(market.latencyElasticity()).isCloseTo(1.5, within(1e-4));
    assertThat(market.priceElasticity()).isNull();
    assertThat(market.note()).contains("price term left out");
    // Two busy channels: ceil(2/4) = 1 in the top quartile, market (~10^6 per hour against 3000).
    assertThat(market.topQuartile()).isTrue();
    assertThat(market.rentedVolume()).isTrue();
    Substitution.Row steady = rows.get(1);
    assertThat(steady.latencyElasticity()).isCloseTo(0, within(1e-9));
    // Net 30 or 33 per 3000 requests: 0.01 or 0.011 per request, with no reaction: price elasticity
    // 0.
    assertThat(steady.priceElasticity()).isCloseTo(0, within(1e-9));
    assertThat(steady.priceCurrency()).isEqualTo("USD");
    assertThat(steady.rentedVolume()).isFalse();
  }

  @Test
  void shouldComputeShareVolatilityAsPopulationDeviationOverMean() {
    // Daily shares 0.2, 0.4, 0.6: mean 0.4, deviations −0.2, 0, 0.2, variance (0.04 + 0 + 0.04) /
    // 3, sd 0.16330, / 0.4.
    assertThat(Substitution.volatility(List.of(0.2, 0.4, 0.6)))
        .isCloseTo(Math.sqrt(0.08 / 3) / 0.4, within(1e-12));
    assertThat(Substitution.volatility(List.of())).isNull();
  }
}
