package dev.routemetrics.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.query.RegistryHistory.Row;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.registry.ChannelRegistryPublisher;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.sink.Sink;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry history reaches ClickHouse through the sink, once per change however often it is
 * published, and reads back as it was at any moment. Expected rows worked out by hand from
 * schemas/src/main/resources/registry/channels.json: version 1 (2026-01-01) lists nine channels;
 * version 2 (2026-11-20 12:00) lowers cloud-stratus's take rate from 0.25 to 0.18 and gives the lab
 * vertical-lexdraft's identity. Control points owned = how many of the six are LAB's.
 */
class ChannelRegistryHistoryIT {

  private static final Instant V1 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant V2 = Instant.parse("2026-11-20T12:00:00Z");

  private String id;
  private WarehouseConfig config;
  private ClickHouse clickHouse;

  @BeforeEach
  void setUp() {
    id = "it-registry-" + UUID.randomUUID().toString().substring(0, 8);
    config =
        new WarehouseConfig(
            Map.of(
                WarehouseConfig.DATABASE,
                id.replace('-', '_'),
                WarehouseConfig.TOPIC_NAMESPACE,
                id + ".",
                WarehouseConfig.SINK_GROUP,
                id + "-sink",
                WarehouseConfig.SINK_FLUSH_INTERVAL_MS,
                "100"));
    clickHouse = new ClickHouse(config);
  }

  @AfterEach
  void dropDatabase() throws Exception {
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + config.database());
    }
  }

  private static Row v1(
      String channel, String route, String partner, String takeRate, int controlPoints) {
    return new Row(channel, 1, V1, route, partner, new BigDecimal(takeRate), controlPoints, false);
  }

  private static final List<Row> AS_OF_V1 =
      List.of(
          v1("cloud-nimbus", "CLOUD_PARTNER", "nimbus-cloud", "0.2", 0),
          v1("cloud-stratus", "CLOUD_PARTNER", "stratus-cloud", "0.25", 0),
          v1("consumer-app", "CONSUMER_APP", null, "0", 6),
          v1("direct-api", "DIRECT_API", null, "0", 3),
          v1("enterprise-workspace", "ENTERPRISE_PLATFORM", null, "0", 5),
          v1("internal-acme-gateway", "INTERNAL_PLATFORM", "acme-corp", "0", 1),
          v1("market-routerhub", "MARKETPLACE", "routerhub", "0.05", 0),
          v1("vertical-codepilot", "VERTICAL_WORKFLOW", "codepilot", "0.3", 1),
          v1("vertical-lexdraft", "VERTICAL_WORKFLOW", "lexdraft", "0.3", 0));

  @Test
  void shouldKeepEveryChangeOnceAndAnswerAsOfAnyMoment() throws Exception {
    Topics topics = new Topics(id + ".");
    new TopicProvisioner(config.getString(WarehouseConfig.KAFKA_BOOTSTRAP), 1).ensure(topics);
    ChannelRegistry registry = ChannelRegistry.builtIn();
    // Published twice, as every streams start does: the same facts again.
    try (ChannelRegistryPublisher publisher =
        new ChannelRegistryPublisher(
            config.getString(WarehouseConfig.KAFKA_BOOTSTRAP), topics.channelRegistryChanges)) {
      publisher.publish(registry);
      publisher.publish(registry);
    }
    try (Sink sink = new Sink(config).start()) {
      long deadline = System.currentTimeMillis() + 60_000;
      while (sink.rowsWritten() < 22 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(sink.rowsWritten()).as("rows the sink wrote").isEqualTo(22);
    }
    assertThat(changesInClickHouse())
        .as("9 channels in version 1, 2 changed in version 2, each once")
        .isEqualTo(11);

    RegistryHistory history = new RegistryHistory(clickHouse, config.database());
    assertThat(history.asOf(V1.minusSeconds(1))).isEmpty();
    assertThat(history.asOf(V1)).containsExactlyElementsOf(AS_OF_V1);
    assertThat(history.asOf(V2.minusSeconds(1))).containsExactlyElementsOf(AS_OF_V1);
    List<Row> asOfV2 =
        AS_OF_V1.stream()
            .map(
                row ->
                    switch (row.channelId()) {
                      case "cloud-stratus" ->
                          new Row(
                              "cloud-stratus",
                              2,
                              V2,
                              "CLOUD_PARTNER",
                              "stratus-cloud",
                              new BigDecimal("0.18"),
                              0,
                              false);
                      case "vertical-lexdraft" ->
                          new Row(
                              "vertical-lexdraft",
                              2,
                              V2,
                              "VERTICAL_WORKFLOW",
                              "lexdraft",
                              new BigDecimal("0.3"),
                              1,
                              false);
                      default -> row;
                    })
            .toList();
    assertThat(history.asOf(V2)).containsExactlyElementsOf(asOfV2);
    assertThat(history.asOf(Instant.parse("2026-12-01T00:00:00Z")))
        .containsExactlyElementsOf(asOfV2);
  }

  private long changesInClickHouse() throws Exception {
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT count() FROM " + config.database() + ".channel_registry_history FINAL")) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
