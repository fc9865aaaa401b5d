package dev.routemetrics.simulator.traffic;

/**
 * What routers react to over the simulated period: the lab's latency (an incident a third of the
 * way in, in every channel's usage latency) and its price (a price test, in every channel's
 * billing: net per request moves with it). How much each channel's volume reacts is its {@link
 * Elasticities}; the marketplace's falls during the incident and on the dear days, and rises on the
 * cheap ones.
 *
 * <p>Both are deliberate, well-identified variations, because docs/domain.md reads them from noisy
 * measurements: an HOUR window's p95 latency and its net revenue per request, which also moves with
 * the hour's mix of models and request sizes (about ±7–9 % from hour to hour at a few hundred
 * requests). Least squares on a regressor measured with noise of variance N, around a true
 * variation of variance S, shrinks the slope by S / (S + N); with the single 20 % cut this
 * simulator used to make (S = 0.012 in ln price over a week), a price elasticity of 0.8 read as
 * 0.40. The price test holds the list price through the incident (so the two reactions are not
 * confused) and moves it on the other sevenths of the period, S = 0.12 in ln price; the incident
 * peaks at 2.5x, S = 0.09 in ln latency.
 */
final class MarketConditions {

  private MarketConditions() {}

  /**
   * The lab's price index per seventh of the period (a week: per day): a test away from the
   * incident.
   */
  static final double[] PRICE_TEST = {0.6, 1.0, 1.0, 1.0, 1.6, 0.6, 1.6};

  /**
   * Latency multiplier at {@code progress} in [0, 1] of the period: 2.5x at the incident's peak (35
   * %).
   */
  static double latencyFactor(double progress) {
    double distance = (progress - 0.35) / 0.1;
    return 1 + 1.5 * Math.exp(-distance * distance);
  }

  /**
   * Price index relative to the competition at {@code progress}: 40 % off list in the first
   * seventh, list through the incident (second to fourth), then 60 % above, 40 % off and 60 %
   * above.
   */
  static double priceIndex(double progress) {
    int seventh =
        (int)
            Math.min(PRICE_TEST.length - 1, Math.max(0, Math.floor(progress * PRICE_TEST.length)));
    return PRICE_TEST[seventh];
  }
}
