package dev.routemetrics.simulator.traffic;

import java.util.SplittableRandom;

/** Poisson-distributed counts: exact for small means, the normal approximation above 30. */
final class Poisson {

  private Poisson() {}

  static long sample(SplittableRandom random, double mean) {
    if (mean <= 0) {
      return 0;
    }
    if (mean > 30) {
      return Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
    }
    double limit = Math.exp(-mean);
    double product = random.nextDouble();
    long count = 0;
    while (product > limit) {
      product *= random.nextDouble();
      count++;
    }
    return count;
  }
}
