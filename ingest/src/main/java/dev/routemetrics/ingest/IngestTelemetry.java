package dev.routemetrics.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The edge's metrics, in one place: accepted and rejected events by family and reason, requests
 * refused before their events were read, what is held right now (events waiting for Kafka, requests
 * in progress), and request latency by status.
 */
final class IngestTelemetry {

  /**
   * Why events were not accepted; a label value of {@code
   * routemetrics_ingest_events_rejected_total}.
   */
  enum Reason {
    INVALID,
    UNAUTHENTICATED,
    FORBIDDEN,
    TOO_LARGE,
    OVERLOADED,
    UNAVAILABLE,
    FAILED
  }

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  void accepted(String family, int events) {
    Counter.builder("routemetrics.ingest.events.accepted")
        .description("Events Kafka acknowledged")
        .tag("family", family)
        .register(registry)
        .increment(events);
  }

  void rejected(String family, Reason reason, int events) {
    Counter.builder("routemetrics.ingest.events.rejected")
        .description("Events not accepted, by reason")
        .tag("family", family)
        .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
        .register(registry)
        .increment(events);
  }

  /**
   * A request refused before its events were read (rate-limited, too-many-concurrent, too-large,
   * unsupported-media-type, invalid-request, timeout, or an HTTP-level refusal by Jetty), or one
   * that failed on an unexpected exception ({@code reason="unexpected"}, answered 500).
   */
  void refused(String family, String reason) {
    Counter.builder("routemetrics.ingest.requests.refused")
        .description("Requests refused before their events were read, by reason")
        .tag("family", family)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  void request(String family, int status, Duration took) {
    Timer.builder("routemetrics.ingest.request")
        .description("Time to answer an ingest request")
        .tag("family", family)
        .tag("status", String.valueOf(status))
        .publishPercentiles(0.5, 0.99)
        .register(registry)
        .record(took);
  }

  /**
   * Gauges of what the edge holds: events waiting for Kafka's acknowledgement, requests in
   * progress.
   */
  void holding(Supplier<Number> eventsInFlight, Supplier<Number> requestsInProgress) {
    Gauge.builder("routemetrics.ingest.events.in.flight", eventsInFlight)
        .description("Events waiting for Kafka's acknowledgement")
        .register(registry);
    Gauge.builder("routemetrics.ingest.requests.in.progress", requestsInProgress)
        .description("Authenticated requests admitted and not yet answered")
        .register(registry);
  }

  /** The Prometheus text exposition. */
  String scrape() {
    return registry.scrape();
  }
}
