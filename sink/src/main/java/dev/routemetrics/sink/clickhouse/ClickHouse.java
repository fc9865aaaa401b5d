package dev.routemetrics.sink.clickhouse;

import java.net.ConnectException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import ru.yandex.clickhouse.ClickHouseDataSource;
import ru.yandex.clickhouse.settings.ClickHouseProperties;

/**
 * Connections to the configured ClickHouse server, and the one place that explains failing to reach
 * it.
 */
public final class ClickHouse {

  private final String url;
  private final ClickHouseDataSource dataSource;

  /** To the server of {@code config}'s URL, as its user; the sink's config or the query's. */
  public ClickHouse(ConnectionConfig config) {
    this.url = config.getString(ConnectionConfig.CLICKHOUSE_URL);
    Properties props = new Properties();
    props.setProperty("user", config.getString(ConnectionConfig.CLICKHOUSE_USER));
    props.setProperty("password", config.getPassword(ConnectionConfig.CLICKHOUSE_PASSWORD).value());
    ClickHouseProperties settings = new ClickHouseProperties(props);
    settings.setCompress(false);
    settings.setDecompress(false);
    this.dataSource = new ClickHouseDataSource(url, settings);
  }

  public Connection connect() throws SQLException {
    try {
      return dataSource.getConnection();
    } catch (SQLException e) {
      throw explained(e);
    } catch (RuntimeException e) {
      // The driver asks the server for its time zone while connecting, and wraps a failure
      // unchecked.
      if (e.getCause() instanceof SQLException cause) {
        throw explained(cause);
      }
      throw e;
    }
  }

  public String url() {
    return url;
  }

  /**
   * Rewrites "cannot reach the server" into a message that names the server and how to start it.
   */
  public SQLException explained(SQLException e) {
    boolean unreachable = e.getErrorCode() == NETWORK_ERROR;
    for (Throwable cause = e; cause != null && !unreachable; cause = cause.getCause()) {
      unreachable = cause instanceof ConnectException;
    }
    if (!unreachable || e.getMessage().startsWith(NOT_ANSWERING)) {
      return e;
    }
    return new SQLException(
        NOT_ANSWERING
            + url
            + " ("
            + e.getMessage().replaceAll(".*; ", "")
            + "). Start it with deploy/up.sh, or point routemetrics.clickhouse.url at your server.",
        e);
  }

  /** ClickHouse's code for a failed connection, which the driver also uses for its own. */
  private static final int NETWORK_ERROR = 210;

  private static final String NOT_ANSWERING = "ClickHouse is not answering at ";
}
