package dev.routemetrics.streams;

import dev.routemetrics.events.QuarantinedEvent;

/** An event on its way either into the metrics or aside to the quarantine topic, never both. */
record Routed<V>(V event, QuarantinedEvent quarantined) {

  static <V> Routed<V> counted(V event) {
    return new Routed<>(event, null);
  }

  static <V> Routed<V> quarantined(QuarantinedEvent why) {
    return new Routed<>(null, why);
  }

  boolean isQuarantined() {
    return quarantined != null;
  }
}
