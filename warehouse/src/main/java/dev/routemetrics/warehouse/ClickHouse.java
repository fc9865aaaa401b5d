package dev.routemetrics.warehouse;

import java.net.ConnectException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import ru.yandex.clickhouse.ClickHouseDataSource;
import ru.yandex.clickhouse.settings.ClickHouseProperties;

/** Connections to the configured ClickHouse server, and the one place that explains failing to reach it. */
public final class ClickHouse {

  private final String url;
  private final ClickHouseDataSource dataSource;

  public ClickHouse(WarehouseConfig config) {
    this.url = config.getString(WarehouseConfig.CLICKHOUSE_URL);
    Properties props = new Properties();
    props.setProperty("user", config.getString(WarehouseConfig.CLICKHOUSE_USER));
    props.setProperty("password", config.getPassword(WarehouseConfig.CLICKHOUSE_PASSWORD).value());
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
    }
  }

  public String url() {
    return url;
  }

  /** Rewrites "connection refused" into a message that names the server and how to start it. */
  public SQLException explained(SQLException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException) {
        return new SQLException("ClickHouse at " + url + " is not answering (" + cause.getMessage()
            + "). Start it with deploy/up.sh, or point routemetrics.clickhouse.url at your server.", e);
      }
    }
    return e;
  }
}
