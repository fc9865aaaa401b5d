package dev.routemetrics.simulator.traffic;

/**
 * What routers react to over the simulated period: the lab's latency (an incident a third of the
 * way in, in every channel's usage latency) and its price (a cut at 60 %, in every channel's
 * billing: net per request falls by a fifth). How much each channel's volume reacts is its {@link
 * Elasticities}; the marketplace's falls during the incident and rises after the cut.
 */
final class MarketConditions {

  private MarketConditions() {}

  /** Latency multiplier at {@code progress} in [0, 1] of the period: 1.8x at the incident's peak. */
  static double latencyFactor(double progress) {
    double distance = (progress - 0.35) / 0.07;
    return 1 + 0.8 * Math.exp(-distance * distance);
  }

  /** Price index relative to the competition: 1.0, then 0.8 after the cut. */
  static double priceIndex(double progress) {
    return progress < 0.6 ? 1.0 : 0.8;
  }

}
