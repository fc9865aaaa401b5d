package dev.routemetrics.simulator.traffic;

/**
 * How often the simulation injects what reality sends. Rates are per regular delivery (duplicates,
 * conflicts, lateness) or per usage event (too-late and malformed records, refunds per lab charge).
 */
public record Faults(
    double duplicateRate,
    double conflictRate,
    double lateRate,
    double tooLateRate,
    double malformedRate,
    double refundRate) {

  public static Faults defaults() {
    return new Faults(0.005, 0.001, 0.01, 0.001, 0.0005, 0.03);
  }

  public static Faults none() {
    return new Faults(0, 0, 0, 0, 0, 0);
  }

  public Faults {
    for (double rate :
        new double[] {
          duplicateRate, conflictRate, lateRate, tooLateRate, malformedRate, refundRate
        }) {
      if (rate < 0 || rate > 1) {
        throw new IllegalArgumentException("fault rates must be within [0, 1], was " + rate);
      }
    }
  }
}
