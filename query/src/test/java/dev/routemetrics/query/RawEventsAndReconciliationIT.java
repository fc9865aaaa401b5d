package dev.routemetrics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.routemetrics.events.BilledBy;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.BillingKind;
import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.Route;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.sink.ChannelMetricsWriter;
import dev.routemetrics.sink.ChannelRevenueWriter;
import dev.routemetrics.sink.Located;
import dev.routemetrics.sink.RawEventsWriters;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.sink.migrations.Migrations;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RawEventsAndReconciliationIT {

  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private String database;
  private ClickHouse clickHouse;

  @BeforeEach
  void createDatabase() throws Exception {
    database = "it_recon_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
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

  static UsageEvent usage(String id, int requestCount) {
    return UsageEvent.newBuilder()
        .setEventId(id)
        .setEventTime(DAY)
        .setChannelId("cloud-nimbus")
        .setAccountId("nimbus-cloud")
        .setEndUserRef(null)
        .setModelId("m")
        .setRequestId("r-" + id)
        .setRequestCount(requestCount)
        .setInputTokens(1)
        .setOutputTokens(1)
        .setLatencyMs(1)
        .setOutcome(Outcome.SUCCESS)
        .setTelemetry(TelemetryLevel.NONE)
        .build();
  }

  @Test
  void shouldCollapseExactDuplicatesAndKeepConflictingPayloadsVisible() throws Exception {
    try (Connection connection = clickHouse.connect()) {
      RawEventsWriters.usage(database)
          .insert(
              connection,
              Located.inOrder(
                  "usage-events", List.of(usage("a", 5), usage("a", 5), usage("b", 1))));
      RawEventsWriters.usage(database)
          .insert(
              connection, Located.inOrder("usage-events", List.of(usage("a", 5), usage("b", 9))));
      try (Statement statement = connection.createStatement();
          ResultSet rows =
              statement.executeQuery(
                  "SELECT event_id, request_count FROM "
                      + database
                      + ".usage_events FINAL ORDER BY event_id, request_count")) {
        StringBuilder seen = new StringBuilder();
        while (rows.next()) {
          seen.append(rows.getString(1)).append('=').append(rows.getInt(2)).append(' ');
        }
        // a: three copies of one payload -> one row; b: two payloads under one id -> both stay.
        assertThat(seen.toString().strip()).isEqualTo("a=5 b=1 b=9");
      }
    }
  }

  @Test
  void shouldReconcileAPartnerStatementAgainstWhatWasMetered() throws Exception {
    BillingEvent statement =
        BillingEvent.newBuilder()
            .setEventId("stmt-1")
            .setEventTime(DAY.plus(Duration.ofHours(26)))
            .setChannelId("cloud-nimbus")
            .setAccountId("nimbus-cloud")
            .setEndUserRef(null)
            .setModelId("*")
            .setBillingId("nimbus-2026-11-20")
            .setKind(BillingKind.PARTNER_STATEMENT)
            .setBilledBy(BilledBy.PARTNER)
            .setCurrency("USD")
            .setGrossAmount(null)
            .setPartnerFee(new BigDecimal("0.0000"))
            .setNetAmount(new BigDecimal("824.0000"))
            .setPeriodStart(DAY)
            .setPeriodEnd(DAY.plus(Duration.ofDays(1)))
            .setReportedRequestCount(1030L)
            .build();
    try (Connection connection = clickHouse.connect()) {
      RawEventsWriters.billing(database)
          .insert(connection, Located.inOrder("billing-events", List.of(statement, statement)));
      // Metered: 600 + 400 = 1000 requests in two hours of the day; one hour of the next day must
      // not count.
      new ChannelMetricsWriter(database)
          .insert(
              connection,
              List.of(
                  metrics(DAY.plus(Duration.ofHours(3)), 600),
                  metrics(DAY.plus(Duration.ofHours(20)), 400),
                  metrics(DAY.plus(Duration.ofHours(24)), 777)));
      // Metered net in USD: 500 + 300 = 800; the EUR row is another currency.
      new ChannelRevenueWriter(database)
          .insert(
              connection,
              List.of(
                  revenue(DAY.plus(Duration.ofHours(3)), "USD", "500"),
                  revenue(DAY.plus(Duration.ofHours(20)), "USD", "300"),
                  revenue(DAY.plus(Duration.ofHours(20)), "EUR", "99")));
    }

    List<Reconciliation.Row> rows =
        new Reconciliation(clickHouse, database)
            .compute(new TimeRange(WindowSize.DAY, DAY, DAY.plus(Duration.ofDays(1)), List.of()));

    assertThat(rows).hasSize(1);
    Reconciliation.Row row = rows.get(0);
    assertThat(row.meteredRequests()).isEqualTo(1000);
    // (1030 - 1000) / 1000 = +3.0%
    assertThat(row.requestGapPercent()).isCloseTo(3.0, within(1e-9));
    assertThat(row.meteredNet()).isEqualByComparingTo("800");
    // (824 - 800) / 800 = +3.0%
    assertThat(row.netGapPercent()).isCloseTo(3.0, within(1e-9));
  }

  static ChannelWindowMetrics metrics(Instant hour, long requests) {
    return ChannelWindowMetrics.newBuilder()
        .setChannelId("cloud-nimbus")
        .setWindowSize(dev.routemetrics.metrics.WindowSize.HOUR)
        .setWindowStart(hour)
        .setVersion(1)
        .setRoute(Route.CLOUD_PARTNER)
        .setPartnerId("nimbus-cloud")
        .setControlPointsOwned(0)
        .setUsageEvents(1)
        .setRequests(requests)
        .setInputTokens(0)
        .setOutputTokens(0)
        .setActiveAccounts(1)
        .setVisibleEndUsers(0)
        .setIdentifiedRequests(0)
        .setErrorRequests(0)
        .setLatencyP50Ms(null)
        .setLatencyP95Ms(null)
        .setLatencyP99Ms(null)
        .setFullTelemetryRequests(0)
        .setFeedbackEvents(0)
        .setTrainableFeedback(0)
        .setCoveredRequests(0)
        .setNewestEventTime(hour)
        .build();
  }

  static ChannelWindowRevenue revenue(Instant hour, String currency, String net) {
    BigDecimal amount = new BigDecimal(net).setScale(4);
    return ChannelWindowRevenue.newBuilder()
        .setChannelId("cloud-nimbus")
        .setWindowSize(dev.routemetrics.metrics.WindowSize.HOUR)
        .setWindowStart(hour)
        .setCurrency(currency)
        .setVersion(1)
        .setRoute(Route.CLOUD_PARTNER)
        .setPartnerId("nimbus-cloud")
        .setBillingEvents(1)
        .setGross(amount)
        .setNetWhereGrossKnown(amount)
        .setPartnerFee(BigDecimal.ZERO.setScale(4))
        .setNet(amount)
        .setNetBilledByLab(BigDecimal.ZERO.setScale(4))
        .build();
  }
}
