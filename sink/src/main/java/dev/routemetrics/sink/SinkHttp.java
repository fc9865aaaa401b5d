package dev.routemetrics.sink;

import io.javalin.Javalin;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's own small HTTP face, for operators and scrapers: {@code GET /metrics} (Prometheus
 * text: lag, inserts, rows, commit age, backoff per topic) and {@code GET /health} (the same as
 * JSON, naming the service, its topic namespace and pid so that a script can tell it answered as
 * itself; {@code status} is the worst topic's state: DOWN, STALLED, BACKING_OFF or UP; {@code
 * lagRecords} the records ClickHouse does not have yet, measured when asked, null when Kafka does
 * not answer; {@code pendingRecords} those of them read and waiting for their insert). It carries
 * counts and offsets only, no warehouse data, so it needs no key; it listens on loopback by
 * default.
 */
public final class SinkHttp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SinkHttp.class);

  private final Javalin app;
  private final String host;
  private final int port;

  public SinkHttp(SinkTelemetry telemetry, String host, int port) {
    this.host = host;
    this.port = port;
    this.app =
        Javalin.create(javalin -> javalin.showJavalinBanner = false)
            .get(
                "/metrics",
                ctx -> ctx.contentType("text/plain; version=0.0.4").result(telemetry.scrape()))
            .get("/health", ctx -> ctx.json(health(telemetry.namespace(), telemetry.status())));
  }

  static Map<String, Object> health(String namespace, List<SinkTelemetry.TopicStatus> topics) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("service", "sink");
    body.put("namespace", namespace);
    body.put("pid", ProcessHandle.current().pid());
    body.put(
        "status",
        topics.stream()
            .map(SinkTelemetry.TopicStatus::state)
            .min(Comparator.naturalOrder())
            .orElse(SinkTelemetry.State.UP)
            .name());
    // Unknown (null) when any topic's is: a sum over the topics measured would say too little.
    body.put(
        "lagRecords",
        topics.stream().anyMatch(t -> t.lagRecords() == null)
            ? null
            : topics.stream().mapToLong(SinkTelemetry.TopicStatus::lagRecords).sum());
    body.put(
        "pendingRecords",
        topics.stream().mapToLong(SinkTelemetry.TopicStatus::pendingRecords).sum());
    body.put("topics", topics);
    return body;
  }

  public SinkHttp start() {
    app.start(host, port);
    log.info("sink metrics on http://{}:{}/metrics, status on /health", host, app.port());
    return this;
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }
}
