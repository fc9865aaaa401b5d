package dev.routemetrics.query;

import dev.routemetrics.sink.clickhouse.ClickHouse;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the newest version of every metric row in a range (FINAL, so rows not yet merged still
 * count once). Only exact components come out of SQL; the ratios docs/domain.md defines are derived
 * in one place, {@link ChannelWindow}, so ClickHouse 18.16 and current servers cannot disagree on
 * integer division, NaN or NULL.
 */
public final class MetricsReader {

  private final Connections connections;
  private final String database;

  public MetricsReader(ClickHouse clickHouse, String database) {
    this(Connections.of(clickHouse), database);
  }

  MetricsReader(Connections connections, String database) {
    this.connections = connections;
    this.database = database;
  }

  /** The database the views read. */
  String database() {
    return database;
  }

  public String metricsSql(TimeRange range) {
    return "SELECT toString(window_start), channel_id, route, partner_id, control_points_owned,"
        + " usage_events, requests, input_tokens, output_tokens, active_accounts,"
        + " visible_end_users, identified_requests, error_requests, latency_p50_ms,"
        + " latency_p95_ms, latency_p99_ms, full_telemetry_requests, feedback_events,"
        + " trainable_feedback, covered_requests, toString(newest_event_time),"
        + " feedback_received, trainable_received FROM "
        + database
        + ".channel_metrics FINAL WHERE "
        + range.where()
        + " ORDER BY window_start, channel_id";
  }

  public String revenueSql(TimeRange range) {
    return "SELECT toString(window_start), channel_id, currency, route, partner_id, billing_events,"
        + " toString(gross), toString(net_where_gross_known), toString(partner_fee),"
        + " toString(net), toString(net_billed_by_lab) FROM "
        + database
        + ".channel_revenue FINAL WHERE "
        + range.where()
        + " ORDER BY window_start, channel_id, currency";
  }

  public List<ChannelWindow.Usage> metrics(TimeRange range) throws SQLException {
    List<ChannelWindow.Usage> rows = new ArrayList<>();
    query(
        metricsSql(range),
        range,
        r ->
            rows.add(
                new ChannelWindow.Usage(
                    instant(r.getString(1)),
                    r.getString(2),
                    r.getString(3),
                    r.getString(4),
                    r.getInt(5),
                    r.getLong(6),
                    r.getLong(7),
                    r.getLong(8),
                    r.getLong(9),
                    r.getLong(10),
                    r.getLong(11),
                    r.getLong(12),
                    r.getLong(13),
                    nullableDouble(r, 14),
                    nullableDouble(r, 15),
                    nullableDouble(r, 16),
                    r.getLong(17),
                    r.getLong(18),
                    r.getLong(19),
                    r.getLong(20),
                    instant(r.getString(21)),
                    r.getLong(22),
                    r.getLong(23))));
    return rows;
  }

  public List<ChannelWindow.Money> revenue(TimeRange range) throws SQLException {
    List<ChannelWindow.Money> rows = new ArrayList<>();
    query(
        revenueSql(range),
        range,
        r ->
            rows.add(
                new ChannelWindow.Money(
                    instant(r.getString(1)),
                    r.getString(2),
                    r.getString(3),
                    r.getString(4),
                    r.getString(5),
                    r.getLong(6),
                    new BigDecimal(r.getString(7)),
                    new BigDecimal(r.getString(8)),
                    new BigDecimal(r.getString(9)),
                    new BigDecimal(r.getString(10)),
                    new BigDecimal(r.getString(11)))));
    return rows;
  }

  interface RowHandler {
    void accept(ResultSet row) throws SQLException;
  }

  private void query(String sql, TimeRange range, RowHandler handler) throws SQLException {
    query(sql, range.parameters(), handler);
  }

  /**
   * Runs {@code sql} with its placeholders bound to {@code parameters} (as text), row by row; for
   * the views beside the metrics.
   */
  void query(String sql, List<String> parameters, RowHandler handler) throws SQLException {
    try (Connection connection = connections.open();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.size(); i++) {
        statement.setString(i + 1, parameters.get(i));
      }
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          handler.accept(rows);
        }
      }
    } catch (SQLException e) {
      throw connections.explained(e);
    }
  }

  private static Double nullableDouble(ResultSet row, int column) throws SQLException {
    double value = row.getDouble(column);
    return row.wasNull() ? null : value;
  }

  /** DateTime as text ('2026-11-01 10:00:00', UTC by the column's zone); null stays null. */
  static Instant instant(String text) {
    return text == null || text.startsWith("0000")
        ? null
        : LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
  }
}
