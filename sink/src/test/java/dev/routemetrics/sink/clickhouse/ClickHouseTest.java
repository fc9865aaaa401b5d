package dev.routemetrics.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClickHouseTest {

  @Test
  void shouldNameTheServerAndHowToStartItWhenNothingAnswers() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String url = "jdbc:clickhouse://127.0.0.1:" + closedPort + "/default?compress=0";
    ClickHouse clickHouse =
        new ClickHouse(new WarehouseConfig(Map.of(WarehouseConfig.CLICKHOUSE_URL, url)));

    assertThatThrownBy(clickHouse::connect)
        .isInstanceOf(SQLException.class)
        .hasMessageStartingWith("ClickHouse is not answering at " + url)
        .hasMessageContaining("Connection refused")
        .hasMessageEndingWith(
            "Start it with deploy/up.sh, or point routemetrics.clickhouse.url at your server.");
  }
}
