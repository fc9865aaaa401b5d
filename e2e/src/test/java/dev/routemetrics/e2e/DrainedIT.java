package dev.routemetrics.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.query.ChannelRequests;
import dev.routemetrics.query.ChannelWindow;
import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.TimeRange;
import dev.routemetrics.query.status.PipelineStatus;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.simulator.load.UsageBurst;
import dev.routemetrics.streams.StreamsAppConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code routemetrics status} says {@code drained: true} only once ClickHouse holds every event
 * sent: events are posted (every one answered 202), then the status is polled, and at the first
 * answer that says drained ClickHouse is read once, without waiting, and must equal the
 * expectation. Three rounds, each into an hour of its own, so a pipeline that goes idle between
 * them is judged too.
 */
class DrainedIT {

  private static final Instant START = Instant.parse("2026-11-03T08:00:00Z");
  private static Pipeline pipeline;

  @BeforeAll
  static void start() throws Exception {
    // Partial tallies ship every 3 s while input offsets commit every 100 ms: a status that took
    // committed input offsets for "counted" would say drained while tallies still wait to ship.
    pipeline = new Pipeline("it-drained-", Map.of(StreamsAppConfig.EMIT_INTERVAL_MS, "3000"));
  }

  @AfterAll
  static void stop() throws Exception {
    pipeline.close();
  }

  @Test
  @DisplayName(
      "at the first status that says drained, ClickHouse holds every event sent, in every table")
  void shouldSayDrainedOnlyWhenClickHouseHoldsEveryEvent() throws Exception {
    PipelineStatus status = pipeline.status();
    long distinctSoFar = 0;
    for (int round = 0; round < 3; round++) {
      Instant hour = START.plus(Duration.ofHours(round));
      List<UsageBurst.Event> burst =
          new UsageBurst(ChannelRegistry.builtIn(), 100 + round).generate(hour, 300, 50);
      assertThat(pipeline.post(burst, 4)).isEqualTo(burst.size());
      // A client's retries: the same ids again, counted once.
      assertThat(pipeline.post(burst.subList(0, 20), 1)).isEqualTo(20);
      distinctSoFar += burst.size();

      PipelineStatus.Report first = firstDrained(status);

      // Read at once: what ClickHouse holds the moment the status first said drained.
      Map<String, Long> expected = requestsPerChannel(burst);
      assertThat(requestsMinute(hour))
          .as("round %d: MINUTE rows with usage at the first drained status %s", round, first)
          .isEqualTo(expected);
      assertThat(requestsHour(hour))
          .as("round %d: channel_metrics HOUR at the first drained status %s", round, first)
          .isEqualTo(expected);
      assertThat(rawUsageEvents())
          .as("round %d: usage_events rows (distinct ids) at the first drained status", round)
          .isEqualTo(distinctSoFar);
      assertThat(first.notDrained()).isEmpty();
      assertThat(first.stages())
          .extracting(PipelineStatus.Stage::stage)
          .containsExactly("ingest", "streams", "sink");
      assertThat(first.stages()).allSatisfy(s -> assertThat(s.status()).isEqualTo("UP"));
      assertThat(first.stages().get(0).inFlightEvents()).isZero();
    }
  }

  /**
   * Polls the status until it says drained (or 180 s pass, and then fails saying why it never did).
   */
  private static PipelineStatus.Report firstDrained(PipelineStatus status)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 180_000;
    PipelineStatus.Report report = status.check();
    while (!report.drained() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
      report = status.check();
    }
    assertThat(report.drained())
        .as("never drained; last answer: %s", report.notDrained() + " " + report.stages())
        .isTrue();
    return report;
  }

  /**
   * Independent expectation: per channel, the sum of request_count over the distinct events sent.
   */
  private static Map<String, Long> requestsPerChannel(List<UsageBurst.Event> events) {
    Map<String, Long> expected = new TreeMap<>();
    for (UsageBurst.Event event : events) {
      expected.merge(event.channelId(), (long) event.requestCount(), Long::sum);
    }
    return expected;
  }

  private static Map<String, Long> requestsMinute(Instant hour) throws Exception {
    Map<String, Long> rows = new TreeMap<>();
    for (ChannelRequests.Row row :
        new ChannelRequests(pipeline.clickHouse(), pipeline.database)
            .between(hour, hour.plus(Duration.ofHours(1)))) {
      rows.put(row.channelId(), row.requests());
    }
    return rows;
  }

  private static Map<String, Long> requestsHour(Instant hour) throws Exception {
    Map<String, Long> rows = new TreeMap<>();
    MetricsReader reader = new MetricsReader(pipeline.clickHouse(), pipeline.database);
    for (ChannelWindow.Usage u :
        reader.metrics(new TimeRange(WindowSize.HOUR, hour, hour.plusSeconds(1), List.of()))) {
      rows.merge(u.channelId(), u.requests(), Long::sum);
    }
    return rows;
  }

  private static long rawUsageEvents() throws Exception {
    try (Connection c = pipeline.clickHouse().connect();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count() FROM (SELECT event_id FROM "
                    + pipeline.database
                    + ".usage_events FINAL GROUP BY event_id)")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
