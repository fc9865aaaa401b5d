package dev.routemetrics.query;

import dev.routemetrics.sink.clickhouse.ClickHouse;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where the audience queries get their connections: {@link ClickHouse} in production; a test can
 * wrap it to count the queries that go through (ReconciliationIT).
 */
interface Connections {

  Connection open() throws SQLException;

  /**
   * The failure as the caller should see it (ClickHouse names an unreachable server and how to
   * start it).
   */
  SQLException explained(SQLException e);

  static Connections of(ClickHouse clickHouse) {
    return new Connections() {
      @Override
      public Connection open() throws SQLException {
        return clickHouse.connect();
      }

      @Override
      public SQLException explained(SQLException e) {
        return clickHouse.explained(e);
      }
    };
  }
}
