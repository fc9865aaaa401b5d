package dev.routemetrics.simulator.traffic;

/** What reality did to a delivery; everything but ORIGINAL and LATE must not change the metrics. */
public enum Injection {
  /** The event's first and only regular delivery, seconds after it happened. */
  ORIGINAL,
  /** The first delivery, but minutes to 6 days after it happened: still within the 7-day bound. */
  LATE,
  /** The same event, byte for byte, sent again. */
  DUPLICATE,
  /** The same event_id with a different payload, sent after the original: to be set aside. */
  CONFLICT,
  /** An event more than 7 days behind the traffic around it: to be set aside. */
  TOO_LATE,
  /** A record with an invalid field: to be rejected at the edge with the field named. */
  MALFORMED
}
