package dev.routemetrics.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Set-aside records into {@code sink_rejected_records} (migration 007), bytes kept as base64;
 * repeating is harmless.
 */
final class RejectedRecordsWriter implements TableWriter<Rejection> {

  private final String table;
  private final String targetTable;

  /** {@code targetTable}: the table the records were meant for. */
  RejectedRecordsWriter(String database, String targetTable) {
    this.table = database + ".sink_rejected_records";
    this.targetTable = targetTable;
  }

  @Override
  public String table() {
    return table;
  }

  @Override
  public void insert(Connection connection, List<Rejection> rows) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + table
                + " (topic, kafka_partition, kafka_offset, record_time, reason, error,"
                + " target_table, payload_b64) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Rejection row : rows) {
        insert.setString(1, row.topic());
        insert.setInt(2, row.partition());
        insert.setLong(3, row.offset());
        // A record without a timestamp (-1) keeps 1970-01-01, the column's zero.
        ClickHouseValues.dateTime(insert, 4, Instant.ofEpochMilli(Math.max(0, row.timestamp())));
        insert.setString(5, row.reason().label);
        insert.setString(6, row.error());
        insert.setString(7, targetTable);
        insert.setString(8, Base64.getEncoder().encodeToString(row.payload()));
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }
}
