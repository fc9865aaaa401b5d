package dev.routemetrics.simulator.traffic;

import java.util.Map;

/**
 * How much a channel's traffic moves when the lab gets slower or dearer, the true values behind
 * docs/domain.md's latency and price elasticities: its volume is multiplied by {@code
 * latencyFactor^-latency × priceIndex^-price}. A channel not listed does not react.
 *
 * @param latency the reaction to the lab's latency (positive: routes away when it is slow)
 * @param price the reaction to the lab's price (positive: routes away when it is dear)
 */
public record Elasticities(double latency, double price) {

  /** No reaction. */
  public static final Elasticities NONE = new Elasticities(0, 0);

  /**
   * The demo's: the marketplace router reacts strongly (latency 1.5, price 2); the coding product,
   * which also routes between models, mildly (0.6 and 0.8); every other channel not at all
   * (vertical-lexdraft is the check of that: its traffic must read as not reacting).
   */
  public static final Map<String, Elasticities> DEFAULT =
      Map.of(
          "market-routerhub", new Elasticities(1.5, 2.0),
          "vertical-codepilot", new Elasticities(0.6, 0.8));

  /** The volume multiplier at {@code progress} in [0, 1] of the period. */
  double volumeFactor(double progress) {
    return Math.pow(MarketConditions.latencyFactor(progress), -latency)
        * Math.pow(MarketConditions.priceIndex(progress), -price);
  }
}
