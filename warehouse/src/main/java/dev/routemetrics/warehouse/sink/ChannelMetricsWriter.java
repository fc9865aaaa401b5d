package dev.routemetrics.warehouse.sink;

import dev.routemetrics.metrics.ChannelWindowMetrics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** Channel-window metric rows into {@code channel_metrics}; a repeated row has the same version and so changes nothing. */
public final class ChannelMetricsWriter implements TableWriter<ChannelWindowMetrics> {

  private static final String COLUMNS = "window_size, window_start, channel_id, version, route, partner_id, control_points_owned,"
      + " usage_events, requests, input_tokens, output_tokens, active_accounts, visible_end_users, identified_requests,"
      + " error_requests, latency_p50_ms, latency_p95_ms, latency_p99_ms, full_telemetry_requests, feedback_events,"
      + " trainable_feedback, covered_requests, newest_event_time";

  private final String table;

  public ChannelMetricsWriter(String database) {
    this.table = database + ".channel_metrics";
  }

  @Override
  public String table() {
    return table;
  }

  @Override
  public void insert(Connection connection, List<ChannelWindowMetrics> rows) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(
        "INSERT INTO " + table + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (ChannelWindowMetrics row : rows) {
        int i = 0;
        insert.setString(++i, row.getWindowSize());
        ClickHouseValues.dateTime(insert, ++i, row.getWindowStart());
        insert.setString(++i, row.getChannelId());
        insert.setLong(++i, row.getVersion());
        insert.setString(++i, row.getRoute());
        ClickHouseValues.nullableString(insert, ++i, row.getPartnerId());
        insert.setInt(++i, row.getControlPointsOwned());
        insert.setLong(++i, row.getUsageEvents());
        insert.setLong(++i, row.getRequests());
        insert.setLong(++i, row.getInputTokens());
        insert.setLong(++i, row.getOutputTokens());
        insert.setLong(++i, row.getActiveAccounts());
        insert.setLong(++i, row.getVisibleEndUsers());
        insert.setLong(++i, row.getIdentifiedRequests());
        insert.setLong(++i, row.getErrorRequests());
        ClickHouseValues.nullableDouble(insert, ++i, row.getLatencyP50Ms());
        ClickHouseValues.nullableDouble(insert, ++i, row.getLatencyP95Ms());
        ClickHouseValues.nullableDouble(insert, ++i, row.getLatencyP99Ms());
        insert.setLong(++i, row.getFullTelemetryRequests());
        insert.setLong(++i, row.getFeedbackEvents());
        insert.setLong(++i, row.getTrainableFeedback());
        insert.setLong(++i, row.getCoveredRequests());
        ClickHouseValues.dateTime(insert, ++i, row.getNewestEventTime());
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }
}
