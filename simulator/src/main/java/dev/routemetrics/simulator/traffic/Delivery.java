package dev.routemetrics.simulator.traffic;

import org.apache.avro.specific.SpecificRecord;

/**
 * One record as it reaches the pipeline, at its arrival time. Either a well-formed {@code event}
 * or, for MALFORMED deliveries, the raw JSON text a broken client sent ({@code event} is then
 * null).
 */
public record Delivery(
    long arrivalMillis,
    long sequence,
    Family family,
    Injection injection,
    String eventId,
    SpecificRecord event,
    String malformedJson) {

  public boolean isMalformed() {
    return malformedJson != null;
  }
}
