package dev.routemetrics.sink.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WarehouseConfigTest {

  @Test
  @DisplayName("the ClickHouse database follows the topic namespace unless it is set")
  void shouldNameTheDatabaseAfterTheNamespaceUnlessSet() {
    assertThat(new WarehouseConfig(Map.of()).database()).isEqualTo("routemetrics");
    assertThat(new WarehouseConfig(Map.of(WarehouseConfig.TOPIC_NAMESPACE, "blue-")).database())
        .isEqualTo("routemetrics_blue");
    assertThat(new WarehouseConfig(Map.of(WarehouseConfig.TOPIC_NAMESPACE, "it-run.7.")).database())
        .isEqualTo("routemetrics_it_run_7");
    assertThat(
            new WarehouseConfig(
                    Map.of(
                        WarehouseConfig.TOPIC_NAMESPACE, "blue-", WarehouseConfig.DATABASE, "mine"))
                .database())
        .as("set explicitly")
        .isEqualTo("mine");
    assertThat(
            new WarehouseConfig(
                    Map.of(
                        WarehouseConfig.TOPIC_NAMESPACE,
                        "blue-",
                        WarehouseConfig.DATABASE,
                        "routemetrics"))
                .database())
        .as("set explicitly to the default")
        .isEqualTo("routemetrics");
  }
}
