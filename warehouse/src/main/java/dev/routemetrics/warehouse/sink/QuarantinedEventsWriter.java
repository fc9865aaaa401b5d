package dev.routemetrics.warehouse.sink;

import dev.routemetrics.events.QuarantinedEvent;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;

/** Set-aside events into {@code quarantined_events}, payload kept (base64 of its single-object encoding). */
public final class QuarantinedEventsWriter implements TableWriter<QuarantinedEvent> {

  private final String table;

  public QuarantinedEventsWriter(String database) {
    this.table = database + ".quarantined_events";
  }

  @Override
  public String table() {
    return table;
  }

  @Override
  public void insert(Connection connection, List<QuarantinedEvent> rows) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table
        + " (family, event_id, reason, channel_id, event_time, detail, payload_b64) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (QuarantinedEvent row : rows) {
        ByteBuffer payload = row.getPayload().duplicate();
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        insert.setString(1, row.getFamily());
        insert.setString(2, row.getEventId());
        insert.setString(3, row.getReason().name());
        insert.setString(4, row.getChannelId());
        ClickHouseValues.dateTime(insert, 5, row.getEventTime());
        insert.setString(6, row.getDetail());
        insert.setString(7, Base64.getEncoder().encodeToString(bytes));
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }
}
