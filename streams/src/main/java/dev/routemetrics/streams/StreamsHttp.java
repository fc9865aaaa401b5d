package dev.routemetrics.streams;

import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams app's small HTTP face: {@code GET /metrics} (Prometheus text: Kafka Streams' own
 * metrics through Micrometer's binder, and dropped records by reason) and {@code GET /health}
 * (JSON: {@code service}, {@code namespace}, {@code pid}, {@code status} UP, STARTING, REBALANCING,
 * STALLED or DOWN, {@code lagRecords} and {@code lag} per input and internal topic partition (the
 * consumer group's, over every partition, whether this instance holds it or not; null where it
 * cannot be measured), {@code dropped} by reason, {@code threadsReplaced}). Counts and offsets
 * only, on loopback, no key needed.
 */
final class StreamsHttp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StreamsHttp.class);

  private final Javalin app;
  private final int port;

  StreamsHttp(PrometheusMeterRegistry registry, Supplier<Map<String, Object>> health, int port) {
    this.port = port;
    this.app =
        Javalin.create(javalin -> javalin.showJavalinBanner = false)
            .get(
                "/metrics",
                ctx -> ctx.contentType("text/plain; version=0.0.4").result(registry.scrape()))
            .get(
                "/health",
                ctx -> {
                  Map<String, Object> body = health.get();
                  ctx.status("UP".equals(body.get("status")) ? 200 : 503).json(body);
                });
  }

  StreamsHttp start() {
    app.start("127.0.0.1", port);
    log.info("streams metrics on http://127.0.0.1:{}/metrics, status on /health", app.port());
    return this;
  }

  int port() {
    return app.port();
  }

  /**
   * {@code lagRecords} null: some partition's lag could not be measured (its entry in {@code lag}
   * is null too).
   */
  static Map<String, Object> body(
      String namespace,
      String status,
      Map<String, Long> lag,
      Long lagRecords,
      Map<String, Long> dropped,
      long threadsReplaced) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("service", "streams");
    body.put("namespace", namespace);
    body.put("pid", ProcessHandle.current().pid());
    body.put("status", status);
    body.put("lagRecords", lagRecords);
    body.put("lag", lag);
    body.put("dropped", dropped);
    body.put("threadsReplaced", threadsReplaced);
    return body;
  }

  @Override
  public void close() {
    app.stop();
  }
}
