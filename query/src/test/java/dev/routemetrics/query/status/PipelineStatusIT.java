package dev.routemetrics.query.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.sink.Located;
import dev.routemetrics.sink.RawEventsWriters;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.sink.migrations.Migrations;
import io.javalin.Javalin;
import java.net.ServerSocket;
import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The aggregation against real HTTP servers answering each stage's /health with canned JSON (the
 * contracts of the ingest, the streams app and the sink), and freshness against the real
 * ClickHouse.
 */
class PipelineStatusIT {

  private static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");

  private final AtomicReference<String> ingestHealth = new AtomicReference<>();
  private final AtomicReference<String> streamsHealth = new AtomicReference<>();
  private final AtomicReference<String> sinkHealth = new AtomicReference<>();
  private Javalin ingest;
  private Javalin streams;
  private Javalin sink;
  private int ingestPort;
  private String database;
  private ClickHouse clickHouse;

  private static Javalin serve(AtomicReference<String> body) {
    return Javalin.create(c -> c.showJavalinBanner = false)
        .get("/health", ctx -> ctx.contentType("application/json").result(body.get()))
        .start("127.0.0.1", 0);
  }

  @BeforeEach
  void setUp() throws SQLException {
    ingest = serve(ingestHealth);
    streams = serve(streamsHealth);
    sink = serve(sinkHealth);
    ingestPort = ingest.port(); // Javalin forgets its port once stopped
    database = "it_status_" + UUID.randomUUID().toString().substring(0, 8);
    clickHouse = new ClickHouse(new WarehouseConfig(Map.of(WarehouseConfig.DATABASE, database)));
    new Migrations(clickHouse, database).apply();
    // Caught up everywhere unless a test says otherwise.
    ingestHealth.set(
        "{\"service\":\"ingest\",\"namespace\":\"\",\"pid\":11,\"status\":\"UP\",\"inFlightEvents\":0}");
    streamsHealth.set(
        "{\"service\":\"streams\",\"namespace\":\"\",\"pid\":12,\"status\":\"UP\",\"lagRecords\":0,"
            + "\"lag\":{\"usage-events-0\":0,\"usage-events-1\":0},\"dropped\":{\"duplicate\":3}}");
    sinkHealth.set(
        "{\"service\":\"sink\",\"namespace\":\"\",\"pid\":13,\"status\":\"UP\",\"lagRecords\":0,"
            + "\"topics\":[{\"topic\":\"channel-metrics\",\"lagRecords\":0},{\"topic\":\"usage-events\",\"lagRecords\":0}]}");
  }

  @AfterEach
  void tearDown() throws SQLException {
    ingest.stop();
    streams.stop();
    sink.stop();
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + database);
    }
  }

  private PipelineStatus.Report check() {
    return check(URI.create("http://127.0.0.1:" + sink.port()));
  }

  private PipelineStatus.Report check(URI sinkAddress) {
    return new PipelineStatus(
            URI.create("http://127.0.0.1:" + ingestPort),
            URI.create("http://127.0.0.1:" + streams.port()),
            sinkAddress,
            clickHouse,
            database,
            Clock.fixed(NOW, ZoneOffset.UTC))
        .check();
  }

  private static UsageEvent usage(String id, Instant at) {
    return UsageEvent.newBuilder()
        .setEventId(id)
        .setEventTime(at)
        .setChannelId("direct-api")
        .setAccountId("a")
        .setEndUserRef(null)
        .setModelId("m")
        .setRequestId("r-" + id)
        .setRequestCount(1)
        .setInputTokens(1)
        .setOutputTokens(1)
        .setLatencyMs(1)
        .setOutcome(Outcome.SUCCESS)
        .setTelemetry(TelemetryLevel.NONE)
        .build();
  }

  @Test
  void shouldSayDrainedWhenEveryLagIsZeroAndGiveEachFamilysFreshness() throws Exception {
    try (Connection connection = clickHouse.connect()) {
      RawEventsWriters.usage(database)
          .insert(
              connection,
              Located.inOrder(
                  "usage-events",
                  List.of(
                      usage("a", Instant.parse("2026-11-20T11:00:00Z")),
                      usage("b", Instant.parse("2026-11-20T11:59:30Z")))));
    }
    PipelineStatus.Report report = check();

    assertThat(report.notDrained()).isEmpty();
    assertThat(report.drained()).isTrue();
    assertThat(report.stages())
        .extracting(PipelineStatus.Stage::status)
        .containsExactly("UP", "UP", "UP");
    PipelineStatus.Stage streamsStage = report.stages().get(1);
    assertThat(streamsStage.lag()).isEqualTo(Map.of("usage-events-0", 0L, "usage-events-1", 0L));
    assertThat(streamsStage.dropped()).isEqualTo(Map.of("duplicate", 3L));
    assertThat(streamsStage.pid()).isEqualTo(12L);
    // Newest usage event 11:59:30, now 12:00:00: 30 s behind. No billing or feedback yet.
    assertThat(report.freshness())
        .containsExactly(
            new PipelineStatus.Freshness(
                "usage", database + ".usage_events", Instant.parse("2026-11-20T11:59:30Z"), 30L),
            new PipelineStatus.Freshness("billing", database + ".billing_events", null, null),
            new PipelineStatus.Freshness("feedback", database + ".feedback_events", null, null));
  }

  @Test
  void shouldNotSayDrainedWhileTheStreamsAppHasRecordsToRead() {
    // The sink is caught up, as it was in issue 18, while the streams app still has 5,616 records
    // to read.
    streamsHealth.set(
        "{\"service\":\"streams\",\"namespace\":\"\",\"pid\":12,\"status\":\"UP\",\"lagRecords\":5616,"
            + "\"lag\":{\"usage-events-0\":5000,\"usage-events-1\":616},\"dropped\":{}}");
    PipelineStatus.Report report = check();
    assertThat(report.drained()).isFalse();
    assertThat(report.notDrained()).containsExactly("streams has 5616 records to read");
    assertThat(report.stages().get(1).detail())
        .isEqualTo("behind: usage-events-0 5000, usage-events-1 616");
  }

  @Test
  void shouldNotSayDrainedWhileTheSinkIsStalledOrTheIngestHoldsEvents() {
    ingestHealth.set(
        "{\"service\":\"ingest\",\"namespace\":\"\",\"pid\":11,\"status\":\"UP\",\"inFlightEvents\":7}");
    sinkHealth.set(
        "{\"service\":\"sink\",\"namespace\":\"\",\"pid\":13,\"status\":\"STALLED\",\"lagRecords\":40,"
            + "\"topics\":[{\"topic\":\"channel-metrics\",\"lagRecords\":40},{\"topic\":\"usage-events\",\"lagRecords\":0}]}");
    PipelineStatus.Report report = check();
    assertThat(report.drained()).isFalse();
    assertThat(report.notDrained())
        .containsExactly(
            "ingest holds 7 events Kafka has not acknowledged",
            "sink has 40 records ClickHouse does not have yet");
    assertThat(report.stages().get(2).status()).isEqualTo("STALLED");
    assertThat(report.stages().get(2).lag())
        .isEqualTo(Map.of("channel-metrics", 40L, "usage-events", 0L));
  }

  @Test
  void shouldNotSayDrainedWhenTheSinkDoesNotAnswerOrSomethingElseAnswersOnItsPort()
      throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    PipelineStatus.Report down = check(URI.create("http://127.0.0.1:" + closed));
    assertThat(down.drained()).isFalse();
    assertThat(down.notDrained()).containsExactly("sink is DOWN: its lag is unknown");
    assertThat(down.stages().get(2).detail())
        .startsWith("nothing answers at http://127.0.0.1:" + closed + "/health");

    // The ingest answering on the sink's port (the wrong process on a reused port) is no sink.
    PipelineStatus.Report impostor = check(URI.create("http://127.0.0.1:" + ingest.port()));
    assertThat(impostor.drained()).isFalse();
    assertThat(impostor.stages().get(2).status()).isEqualTo("DOWN");
    assertThat(impostor.stages().get(2).detail())
        .isEqualTo(
            "a ingest service answers at http://127.0.0.1:" + ingest.port() + ", not the sink");
  }

  @Test
  void shouldStillSayDrainedWhenTheIngestIsStoppedSinceNothingIsInFlightInIt() {
    ingest.stop();
    PipelineStatus.Report report = check();
    assertThat(report.stages().get(0).status()).isEqualTo("DOWN");
    assertThat(report.drained()).isTrue();
  }
}
