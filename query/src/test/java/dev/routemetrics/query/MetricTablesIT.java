package dev.routemetrics.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.Route;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.sink.ChannelMetricsWriter;
import dev.routemetrics.sink.ChannelRevenueWriter;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.sink.migrations.Migrations;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The metric tables on the real ClickHouse: what the sink writes is what the reports read, newest
 * version first.
 */
class MetricTablesIT {

  private static final Instant HOUR = Instant.parse("2026-11-01T10:00:00Z");
  private String database;
  private ClickHouse clickHouse;

  @BeforeEach
  void createDatabase() throws Exception {
    database = "it_tables_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    clickHouse = new ClickHouse(new WarehouseConfig(Map.of(WarehouseConfig.DATABASE, database)));
    new Migrations(clickHouse, database).apply();
  }

  @AfterEach
  void dropDatabase() throws Exception {
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + database);
    }
  }

  static ChannelWindowMetrics metrics(String channel, long version, long requests, Double p95) {
    return ChannelWindowMetrics.newBuilder()
        .setChannelId(channel)
        .setWindowSize(dev.routemetrics.metrics.WindowSize.HOUR)
        .setWindowStart(HOUR)
        .setVersion(version)
        .setRoute(Route.CLOUD_PARTNER)
        .setPartnerId("nimbus-cloud")
        .setControlPointsOwned(0)
        .setUsageEvents(version)
        .setRequests(requests)
        .setInputTokens(requests * 10)
        .setOutputTokens(requests * 2)
        .setActiveAccounts(1)
        .setVisibleEndUsers(0)
        .setIdentifiedRequests(0)
        .setErrorRequests(1)
        .setLatencyP50Ms(100.0)
        .setLatencyP95Ms(p95)
        .setLatencyP99Ms(null)
        .setFullTelemetryRequests(0)
        .setFeedbackEvents(version)
        .setTrainableFeedback(version - 1)
        .setCoveredRequests(version - 1)
        .setNewestEventTime(HOUR.plusSeconds(version))
        .setFeedbackReceived(version * 3)
        .setTrainableReceived(version * 2)
        .build();
  }

  static ChannelWindowRevenue revenue(long version, String net) {
    return ChannelWindowRevenue.newBuilder()
        .setChannelId("cloud-nimbus")
        .setWindowSize(dev.routemetrics.metrics.WindowSize.HOUR)
        .setWindowStart(HOUR)
        .setCurrency("USD")
        .setVersion(version)
        .setRoute(Route.CLOUD_PARTNER)
        .setPartnerId("nimbus-cloud")
        .setBillingEvents(version)
        .setGross(new BigDecimal("1234567.8901"))
        .setNetWhereGrossKnown(new BigDecimal(net))
        .setPartnerFee(new BigDecimal("0.0001"))
        .setNet(new BigDecimal(net))
        .setNetBilledByLab(BigDecimal.ZERO.setScale(4))
        .build();
  }

  @Test
  void shouldReadTheNewestVersionOfEveryWindowWhateverTheOrderAndRepetitionOfWrites()
      throws Exception {
    ChannelMetricsWriter writer = new ChannelMetricsWriter(database);
    try (Connection connection = clickHouse.connect()) {
      writer.insert(connection, List.of(metrics("cloud-nimbus", 2, 500, 900.0)));
      writer.insert(
          connection, List.of(metrics("cloud-nimbus", 5, 800, null))); // a late aggregate raised it
      writer.insert(
          connection,
          List.of(metrics("cloud-nimbus", 2, 500, 900.0))); // the sink replays an old batch
      writer.insert(
          connection, List.of(metrics("cloud-nimbus", 5, 800, null))); // and the newest one
    }

    List<ChannelWindow.Usage> rows =
        new MetricsReader(clickHouse, database)
            .metrics(new TimeRange(WindowSize.HOUR, HOUR, HOUR.plusSeconds(3600), List.of()));

    assertThat(rows).hasSize(1);
    ChannelWindow.Usage row = rows.get(0);
    assertThat(row.requests()).isEqualTo(800);
    assertThat(row.inputTokens()).isEqualTo(8000);
    assertThat(row.usageEvents()).isEqualTo(5);
    assertThat(row.latencyP95Ms()).isNull();
    assertThat(row.latencyP50Ms()).isEqualTo(100.0);
    assertThat(row.partnerId()).isEqualTo("nimbus-cloud");
    assertThat(row.newestEventTime()).isEqualTo(HOUR.plusSeconds(5));
    // Learning of version 5: about the window's requests 5, 4 trainable, 4 covered; received 15, 10
    // trainable.
    assertThat(row.feedbackEvents()).isEqualTo(5);
    assertThat(row.trainableFeedback()).isEqualTo(4);
    assertThat(row.coveredRequests()).isEqualTo(4);
    assertThat(row.feedbackReceived()).isEqualTo(15);
    assertThat(row.trainableReceived()).isEqualTo(10);
    assertThat(row.windowStart()).isEqualTo(HOUR);
  }

  @Test
  void shouldKeepMoneyExactToTheFourthDecimal() throws Exception {
    try (Connection connection = clickHouse.connect()) {
      new ChannelRevenueWriter(database)
          .insert(connection, List.of(revenue(1, "987654.3210"), revenue(3, "1000000.0009")));
    }

    List<ChannelWindow.Money> rows =
        new MetricsReader(clickHouse, database)
            .revenue(
                new TimeRange(
                    WindowSize.HOUR, HOUR, HOUR.plusSeconds(3600), List.of("cloud-nimbus")));

    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).net()).isEqualByComparingTo("1000000.0009");
    assertThat(rows.get(0).gross()).isEqualByComparingTo("1234567.8901");
    assertThat(rows.get(0).partnerFee()).isEqualByComparingTo("0.0001");
    assertThat(rows.get(0).billingEvents()).isEqualTo(3);
  }

  @Test
  void shouldFilterByChannelWithBoundParametersOnly() throws Exception {
    try (Connection connection = clickHouse.connect()) {
      new ChannelMetricsWriter(database)
          .insert(
              connection,
              List.of(metrics("cloud-nimbus", 1, 10, 1.0), metrics("direct-api", 1, 20, 1.0)));
    }
    MetricsReader reader = new MetricsReader(clickHouse, database);
    TimeRange hostile =
        new TimeRange(
            WindowSize.HOUR,
            HOUR,
            HOUR.plusSeconds(3600),
            List.of("direct-api' OR '1'='1", "x') OR 1=1 --"));

    assertThat(reader.metrics(hostile)).isEmpty();
    assertThat(
            reader.metrics(
                new TimeRange(
                    WindowSize.HOUR, HOUR, HOUR.plusSeconds(3600), List.of("direct-api"))))
        .extracting(ChannelWindow.Usage::requests)
        .containsExactly(20L);
  }
}
