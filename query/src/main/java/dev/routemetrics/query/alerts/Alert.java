package dev.routemetrics.query.alerts;

import java.time.Instant;

/**
 * A transition of one alert: a rule's condition started to hold for a subject (FIRING) or stopped
 * holding (RESOLVED). {@code since} is when it started firing; {@code at} when this transition was
 * seen. {@code value} and {@code threshold} are in the rule's unit (see {@link Rule#unit()}).
 */
public record Alert(
    String rule,
    String subject,
    State state,
    Instant since,
    Instant at,
    Double value,
    double threshold,
    String unit,
    String detail) {

  /** Where an alert is in its life. */
  public enum State {
    FIRING,
    RESOLVED
  }

  /** The key an alert is tracked and published under: one per rule and subject. */
  public String key() {
    return rule + "|" + subject;
  }
}
