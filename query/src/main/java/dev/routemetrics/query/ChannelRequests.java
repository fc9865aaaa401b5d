package dev.routemetrics.query;

import dev.routemetrics.sink.clickhouse.ClickHouse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** Requests per channel over a time range, read from the newest version of every minute window. */
public final class ChannelRequests {

  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  /** One channel's totals over the range. */
  public record Row(String channelId, long requests, long usageEvents, long windows) {}

  private final ClickHouse clickHouse;
  private final String database;

  public ChannelRequests(ClickHouse clickHouse, String database) {
    this.clickHouse = clickHouse;
    this.database = database;
  }

  /**
   * The SQL, with the range bound as parameters; FINAL so a window not yet merged still counts
   * once.
   */
  public String sql() {
    return "SELECT channel_id, sum(requests) AS requests, sum(usage_events) AS usage_events,"
        + " count() AS windows FROM "
        + database
        + ".channel_requests_minute FINAL"
        + " WHERE window_start >= toDateTime(?, 'UTC') AND window_start < toDateTime(?, 'UTC')"
        + " GROUP BY channel_id ORDER BY channel_id";
  }

  public List<Row> between(Instant from, Instant until) throws SQLException {
    List<Row> result = new ArrayList<>();
    try (Connection connection = clickHouse.connect();
        PreparedStatement query = connection.prepareStatement(sql())) {
      query.setString(1, UTC.format(from));
      query.setString(2, UTC.format(until));
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          result.add(new Row(rows.getString(1), rows.getLong(2), rows.getLong(3), rows.getLong(4)));
        }
      }
    } catch (SQLException e) {
      throw clickHouse.explained(e);
    }
    return result;
  }
}
