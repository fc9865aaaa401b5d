package dev.routemetrics.sink;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import ru.yandex.clickhouse.ClickHouseConnection;
import ru.yandex.clickhouse.ClickHouseStatement;
import ru.yandex.clickhouse.domain.ClickHouseFormat;

/**
 * Rows already encoded in RowBinary into a table: one streamed request body per batch, 64 KiB per
 * write. RowBinary rather than escaped text values: several times faster through the 0.2.x driver,
 * and a format 18.16 and current servers read alike.
 */
final class RowBinaryRowsWriter implements TableWriter<byte[]> {

  private final String table;
  private final String insert;

  /** {@code columns}: the row's columns in their encoded order, comma-separated. */
  RowBinaryRowsWriter(String table, String columns) {
    this.table = table;
    this.insert = "INSERT INTO " + table + " (" + columns + ")";
  }

  @Override
  public String table() {
    return table;
  }

  @Override
  public void insert(Connection connection, List<byte[]> rows) throws SQLException {
    try (ClickHouseStatement statement =
        connection.unwrap(ClickHouseConnection.class).createStatement()) {
      statement
          .write()
          .send(
              insert,
              stream -> {
                RowBinaryOutput out = new RowBinaryOutput(stream);
                for (byte[] row : rows) {
                  out.writeRaw(row, 0, row.length);
                }
                out.flush();
              },
              ClickHouseFormat.RowBinary);
    }
  }
}
