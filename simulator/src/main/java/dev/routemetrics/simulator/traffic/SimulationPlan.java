package dev.routemetrics.simulator.traffic;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * What to simulate: the event-time period {@code [start, end)}, the seed, the approximate number of
 * events to produce, the faults to inject, and by how much each partner's statements overstate (+)
 * or understate (−) the requests it metered, in percent. No event happens after {@code
 * latestEventTime}: a simulation sent to a live system must not invent the future (the edge refuses
 * it, and Kafka refuses record timestamps ahead of the broker's clock), so feedback, refunds and
 * statements that would come later are not generated at all.
 */
public record SimulationPlan(
    Instant start,
    Instant end,
    long seed,
    long targetEvents,
    Faults faults,
    Map<String, BigDecimal> statementSkewPercent,
    Instant latestEventTime) {

  /**
   * The first cloud partner overstates its requests by 3.0 %; the others report what was metered.
   */
  public static final Map<String, BigDecimal> DEFAULT_STATEMENT_SKEW =
      Map.of("cloud-nimbus", new BigDecimal("3.0"));

  public SimulationPlan {
    // Minute-aligned bounds keep every window and statement period whole.
    if (!start.truncatedTo(ChronoUnit.MINUTES).equals(start)
        || !end.truncatedTo(ChronoUnit.MINUTES).equals(end)) {
      throw new IllegalArgumentException(
          "start and end must be whole minutes, were " + start + " and " + end);
    }
    if (!end.isAfter(start)) {
      throw new IllegalArgumentException("end " + end + " must be after start " + start);
    }
    if (targetEvents < 1) {
      throw new IllegalArgumentException("target events must be at least 1, was " + targetEvents);
    }
    statementSkewPercent = Map.copyOf(statementSkewPercent);
    if (end.isAfter(latestEventTime)) {
      throw new IllegalArgumentException(
          "the period must end by " + latestEventTime + " (no events from the future), was " + end);
    }
  }

  /**
   * A plan without an upper bound on event times: everything that follows from the period happens.
   */
  public SimulationPlan(
      Instant start,
      Instant end,
      long seed,
      long targetEvents,
      Faults faults,
      Map<String, BigDecimal> statementSkewPercent) {
    this(start, end, seed, targetEvents, faults, statementSkewPercent, Instant.MAX);
  }
}
