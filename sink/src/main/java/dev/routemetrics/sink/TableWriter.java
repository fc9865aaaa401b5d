package dev.routemetrics.sink;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Writes one topic's decoded records into its ClickHouse table. Must be safe to repeat: a retried
 * batch lands twice.
 */
public interface TableWriter<V> {

  /** The table, for logs and metrics. */
  String table();

  /** Inserts the rows in one batch; throws when ClickHouse did not take all of them. */
  void insert(Connection connection, List<V> rows) throws SQLException;
}
