package dev.routemetrics.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/** The edge's metrics, in one place: accepted and rejected events by family and reason, and request latency. */
final class IngestTelemetry {

  /** Why events were not accepted; a label value of {@code routemetrics_ingest_events_rejected_total}. */
  enum Reason { INVALID, UNAUTHENTICATED, FORBIDDEN, TOO_LARGE, OVERLOADED, UNAVAILABLE }

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  void accepted(String family, int events) {
    Counter.builder("routemetrics.ingest.events.accepted").description("Events Kafka acknowledged")
        .tag("family", family).register(registry).increment(events);
  }

  void rejected(String family, Reason reason, int events) {
    Counter.builder("routemetrics.ingest.events.rejected").description("Events not accepted, by reason")
        .tag("family", family).tag("reason", reason.name().toLowerCase()).register(registry).increment(events);
  }

  void request(String family, int status, Duration took) {
    Timer.builder("routemetrics.ingest.request").description("Time to answer an ingest request")
        .tag("family", family).tag("status", String.valueOf(status)).publishPercentiles(0.5, 0.99)
        .register(registry).record(took);
  }

  /** The Prometheus text exposition. */
  String scrape() {
    return registry.scrape();
  }
}
