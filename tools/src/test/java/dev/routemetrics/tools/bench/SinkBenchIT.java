package dev.routemetrics.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink benchmark at a small size, on the real servers: the rows the sink was timed on and the
 * TSV clickhouse-client is timed on in the same run are the same rows, column for column (what
 * deploy/bench-sink.sh checks by digest before it prints a ratio), and the warm-up rows are apart.
 */
class SinkBenchIT {

  private static final String COLUMNS =
      "window_size, window_start, channel_id, version, route, partner_id, control_points_owned,"
          + " usage_events, requests, input_tokens, output_tokens, active_accounts,"
          + " visible_end_users, identified_requests, error_requests, latency_p50_ms,"
          + " latency_p95_ms, latency_p99_ms, full_telemetry_requests, feedback_events,"
          + " trainable_feedback, covered_requests, newest_event_time, feedback_received,"
          + " trainable_received";

  @Test
  void shouldTimeTheSinkOnTheSameRowsItHandsToClickHouseClient(@TempDir Path dir) throws Exception {
    Path tsv = dir.resolve("rows.tsv");
    SinkBench.Result result = SinkBench.run(Map.of(), 600, 150, tsv);

    assertThat(result.rows()).isEqualTo(600);
    assertThat(result.measured().moving()).isPositive();
    List<String> handedOver = Files.readAllLines(tsv).stream().sorted().toList();
    assertThat(handedOver).hasSize(600);
    String database = result.database();
    List<String> sunk =
        clickHouse(
                "SELECT "
                    + COLUMNS
                    + " FROM "
                    + database
                    + ".channel_metrics FINAL WHERE window_start >= toDateTime('2026-01-01"
                    + " 00:00:00', 'UTC') FORMAT TabSeparated")
            .lines()
            .sorted()
            .toList();
    assertThat(sunk).isEqualTo(handedOver);
    assertThat(
            clickHouse(
                    "SELECT count() FROM "
                        + database
                        + ".channel_metrics FINAL WHERE window_start < toDateTime('2026-01-01"
                        + " 00:00:00', 'UTC')")
                .strip())
        .isEqualTo("150");
    clickHouse("DROP DATABASE " + database);
  }

  /** The query's answer over ClickHouse's HTTP interface, where the settings' JDBC URL points. */
  private static String clickHouse(String sql) throws Exception {
    String jdbc = new WarehouseConfig(Map.of()).getString(WarehouseConfig.CLICKHOUSE_URL);
    String hostPort = jdbc.replaceFirst("^jdbc:clickhouse://", "").replaceFirst("/.*$", "");
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://" + hostPort + "/"))
                    .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(sql + ": " + response.body()).isEqualTo(200);
    return response.body();
  }
}
