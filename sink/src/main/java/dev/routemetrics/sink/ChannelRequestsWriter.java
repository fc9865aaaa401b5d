package dev.routemetrics.sink;

import dev.routemetrics.metrics.ChannelWindowRequests;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Requests per channel per minute into {@code channel_requests_minute}; a repeated row has the same
 * version and so changes nothing.
 */
public final class ChannelRequestsWriter implements TableWriter<ChannelWindowRequests> {

  private final String table;

  public ChannelRequestsWriter(String database) {
    this.table = database + ".channel_requests_minute";
  }

  @Override
  public String table() {
    return table;
  }

  @Override
  public void insert(Connection connection, List<ChannelWindowRequests> rows) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + table
                + " (channel_id, window_start, requests, usage_events, version) VALUES (?, ?, ?, ?,"
                + " ?)")) {
      for (ChannelWindowRequests row : rows) {
        insert.setString(1, row.getChannelId());
        ClickHouseValues.dateTime(insert, 2, row.getWindowStart());
        insert.setLong(3, row.getRequests());
        insert.setLong(4, row.getUsageEvents());
        insert.setLong(5, row.getVersion());
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }
}
