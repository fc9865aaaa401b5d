package dev.routemetrics.simulator.traffic;

/**
 * What a marketplace router reacts to over the simulated period: the lab's latency (an incident a
 * third of the way in) and its price (a cut at 60 %). The router shifts traffic away from slow or
 * expensive models, so the marketplace's share falls during the incident and rises after the cut.
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

  /** Volume multiplier: the router's demand elasticity to latency (1.5) and price (2). */
  static double volumeFactor(double progress) {
    return Math.pow(1 / latencyFactor(progress), 1.5) * Math.pow(1 / priceIndex(progress), 2);
  }
}
