package dev.routemetrics.tools.bench;

import dev.routemetrics.sink.clickhouse.ClickHouse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;

/**
 * How far the pipeline has got: events the ingest accepted, and events counted in ClickHouse's
 * metrics.
 */
public final class PipelineProgress {

  private final ClickHouse clickHouse;
  private final String database;
  private final URI ingestMetrics;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public PipelineProgress(ClickHouse clickHouse, String database, String ingestUrl) {
    this.clickHouse = clickHouse;
    this.database = database;
    this.ingestMetrics = URI.create(ingestUrl.replaceAll("/+$", "") + "/metrics");
  }

  /**
   * Usage and feedback events folded into DAY windows, plus billing events in DAY revenue rows,
   * newest version of each row ({@code FINAL}); -1 while ClickHouse does not answer. Feedback by
   * feedback_received, which counts every feedback event once in its own window (feedback_events
   * counts only feedback about a known request within 7 days, in the request's window).
   */
  public long countedInClickHouse() {
    try (Connection c = clickHouse.connect();
        Statement s = c.createStatement()) {
      long counted =
          single(
              s,
              "SELECT sum(usage_events) + sum(feedback_received) FROM "
                  + database
                  + ".channel_metrics FINAL WHERE window_size = 'DAY'");
      return counted
          + single(
              s,
              "SELECT sum(billing_events) FROM "
                  + database
                  + ".channel_revenue FINAL WHERE window_size = 'DAY'");
    } catch (SQLException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Usage events counted in MINUTE windows starting at or after {@code since}: the live traffic's.
   */
  public long liveUsageInClickHouse(Instant since) {
    try (Connection c = clickHouse.connect();
        Statement s = c.createStatement()) {
      return single(
          s,
          "SELECT sum(usage_events) FROM "
              + database
              + ".channel_metrics FINAL WHERE window_size = 'MINUTE'"
              + " AND window_start >= toDateTime("
              + since.getEpochSecond() / 60 * 60
              + ", 'UTC')");
    } catch (SQLException | RuntimeException e) {
      return -1;
    }
  }

  /** The ingest's count of events Kafka acknowledged, every family; -1 when it does not answer. */
  public long acceptedByIngest() {
    try {
      String body =
          http.send(
                  HttpRequest.newBuilder(ingestMetrics).timeout(Duration.ofSeconds(2)).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      return Math.round(
          body.lines()
              .filter(l -> l.startsWith("routemetrics_ingest_events_accepted_total"))
              .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
              .sum());
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static long single(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }
}
