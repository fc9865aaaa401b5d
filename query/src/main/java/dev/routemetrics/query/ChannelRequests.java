package dev.routemetrics.query;

import dev.routemetrics.schemas.windows.WindowSize;
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

/**
 * Requests per channel over a time range: the sum of the newest version of every MINUTE row of
 * {@code channel_metrics} that holds usage. The walking skeleton wrote these to a table of their
 * own ({@code channel_requests_minute}, dropped by migration 011); they were always read off the
 * same rows, so this is the same answer without a second copy.
 */
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
   * once. A MINUTE row without usage (a window only feedback or coverage touched) is not a window
   * of requests, so it is not counted in {@code windows}.
   */
  public String sql() {
    // Not "AS usage_events": ClickHouse puts a SELECT alias in place of the column of the same name
    // everywhere in the query, WHERE too, and refuses the sum there (code 184).
    return "SELECT channel_id, sum(requests) AS total_requests,"
        + " sum(usage_events) AS total_usage_events, count() AS windows FROM "
        + database
        + ".channel_metrics FINAL"
        + " WHERE window_size = '"
        + WindowSize.MINUTE.name()
        + "' AND usage_events > 0"
        + " AND window_start >= toDateTime(?, 'UTC') AND window_start < toDateTime(?, 'UTC')"
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
