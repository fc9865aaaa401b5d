package dev.routemetrics.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.routemetrics.events.BilledBy;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.BillingKind;
import dev.routemetrics.events.Route;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.query.http.Csv;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.sink.ChannelMetricsWriter;
import dev.routemetrics.sink.ChannelRevenueWriter;
import dev.routemetrics.sink.Located;
import dev.routemetrics.sink.RawEventsWriters;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.sink.migrations.Migrations;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Reconciliation on the real ClickHouse, its queries counted through a wrapped connection: as many
 * for 1,000 partner statements as for one (a partner's POST of 1,000 statements made it go from
 * 0.14 s to 8.1 s when it ran two queries per statement). Hour rows, from 2026-11-01 00:00 UTC,
 * hour h = 0..25:
 *
 * <pre>
 * cloud-nimbus   (nimbus-cloud)   requests 100 + h    net USD h + 0.25    net EUR 99 (another currency)
 * cloud-stratus  (stratus-cloud)  requests 1000 + h   net USD 7
 * </pre>
 *
 * Statements: 1,000 with period_start on 2026-11-01 (statement i: cloud-nimbus for even i,
 * cloud-stratus for odd; from hour i % 20 for 1 + i % 4 hours; reports 1000 + i requests and net
 * i.0000 USD), and one with period_start on 2026-11-02 (cloud-nimbus, hours 24 and 25, 249
 * requests, 50.0000 USD), whose billing id is a spreadsheet formula.
 */
class ReconciliationIT {

  private static final Instant DAY = Instant.parse("2026-11-01T00:00:00Z");
  private static final Instant NEXT_DAY = DAY.plus(Duration.ofDays(1));
  private static final String FORMULA_ID = "=HYPERLINK(\"https://evil.example\",\"pay here\")";
  private static final int STATEMENTS = 1000;

  private static String database;
  private static ClickHouse clickHouse;

  @BeforeAll
  static void writeDataset() throws Exception {
    database = "it_reconcile_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    clickHouse = new ClickHouse(new WarehouseConfig(Map.of(WarehouseConfig.DATABASE, database)));
    new Migrations(clickHouse, database).apply();
    List<ChannelWindowMetrics> metrics = new ArrayList<>();
    List<ChannelWindowRevenue> revenue = new ArrayList<>();
    for (int h = 0; h <= 25; h++) {
      Instant hour = DAY.plus(Duration.ofHours(h));
      metrics.add(metrics(hour, "cloud-nimbus", "nimbus-cloud", 100 + h));
      metrics.add(metrics(hour, "cloud-stratus", "stratus-cloud", 1000 + h));
      revenue.add(revenue(hour, "cloud-nimbus", "nimbus-cloud", "USD", h + ".25"));
      revenue.add(revenue(hour, "cloud-nimbus", "nimbus-cloud", "EUR", "99"));
      // cloud-stratus: 7 USD an hour billed by the partner, and 2 the lab billed itself on that
      // channel,
      // which is not the partner's to report: what is metered for the statement is the 7.
      ChannelWindowRevenue stratus = revenue(hour, "cloud-stratus", "stratus-cloud", "USD", "9");
      stratus.setNetBilledByLab(new BigDecimal("2.0000"));
      revenue.add(stratus);
    }
    List<BillingEvent> statements = new ArrayList<>();
    for (int i = 0; i < STATEMENTS; i++) {
      Instant start = DAY.plus(Duration.ofHours(i % 20));
      statements.add(
          statement(
              "stmt-" + String.format("%04d", i),
              i % 2 == 0 ? "cloud-nimbus" : "cloud-stratus",
              start,
              start.plus(Duration.ofHours(1 + i % 4)),
              1000 + i,
              i + ".0000"));
    }
    statements.add(
        statement(
            FORMULA_ID,
            "cloud-nimbus",
            NEXT_DAY,
            NEXT_DAY.plus(Duration.ofHours(2)),
            249,
            "50.0000"));
    try (Connection connection = clickHouse.connect()) {
      new ChannelMetricsWriter(database).insert(connection, metrics);
      new ChannelRevenueWriter(database).insert(connection, revenue);
      RawEventsWriters.billing(database)
          .insert(connection, Located.inOrder("billing-events", statements));
    }
  }

  @AfterAll
  static void dropDatabase() throws SQLException {
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + database);
    }
  }

  static ChannelWindowMetrics metrics(Instant hour, String channel, String partner, long requests) {
    return ChannelWindowMetrics.newBuilder()
        .setChannelId(channel)
        .setWindowSize(dev.routemetrics.metrics.WindowSize.HOUR)
        .setWindowStart(hour)
        .setVersion(1)
        .setRoute(Route.CLOUD_PARTNER)
        .setPartnerId(partner)
        .setControlPointsOwned(0)
        .setUsageEvents(requests)
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

  static ChannelWindowRevenue revenue(
      Instant hour, String channel, String partner, String currency, String net) {
    BigDecimal amount = new BigDecimal(net).setScale(4);
    return ChannelWindowRevenue.newBuilder()
        .setChannelId(channel)
        .setWindowSize(dev.routemetrics.metrics.WindowSize.HOUR)
        .setWindowStart(hour)
        .setCurrency(currency)
        .setVersion(1)
        .setRoute(Route.CLOUD_PARTNER)
        .setPartnerId(partner)
        .setBillingEvents(1)
        .setGross(amount)
        .setNetWhereGrossKnown(amount)
        .setPartnerFee(BigDecimal.ZERO.setScale(4))
        .setNet(amount)
        .setNetBilledByLab(BigDecimal.ZERO.setScale(4))
        .build();
  }

  static BillingEvent statement(
      String billingId, String channel, Instant start, Instant end, long requests, String net) {
    return BillingEvent.newBuilder()
        .setEventId("evt-" + billingId)
        .setEventTime(end)
        .setChannelId(channel)
        .setAccountId(channel)
        .setEndUserRef(null)
        .setModelId("*")
        .setBillingId(billingId)
        .setKind(BillingKind.PARTNER_STATEMENT)
        .setBilledBy(BilledBy.PARTNER)
        .setCurrency("USD")
        .setGrossAmount(null)
        .setPartnerFee(BigDecimal.ZERO.setScale(4))
        .setNetAmount(new BigDecimal(net).setScale(4))
        .setPeriodStart(start)
        .setPeriodEnd(end)
        .setReportedRequestCount(requests)
        .build();
  }

  /** Connections to the test's ClickHouse whose statements count every query they run. */
  static Connections counting(AtomicInteger queries) {
    Connections real = Connections.of(clickHouse);
    return new Connections() {
      @Override
      public Connection open() throws SQLException {
        Connection connection = real.open();
        return (Connection)
            Proxy.newProxyInstance(
                Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                  Object result = invoke(connection, method, args);
                  if (result instanceof Statement statement) {
                    Class<?> type = method.getReturnType();
                    return Proxy.newProxyInstance(
                        type.getClassLoader(),
                        new Class<?>[] {type},
                        (p, m, a) -> {
                          if (m.getName().startsWith("execute")) {
                            queries.incrementAndGet();
                          }
                          return invoke(statement, m, a);
                        });
                  }
                  return result;
                });
      }

      @Override
      public SQLException explained(SQLException e) {
        return real.explained(e);
      }
    };
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static TimeRange day(Instant start) {
    return new TimeRange(WindowSize.HOUR, start, start.plus(Duration.ofDays(1)), List.of());
  }

  @Test
  @DisplayName("1,000 statements take as many ClickHouse queries as one")
  void shouldReconcileInAConstantNumberOfQueries() throws Exception {
    AtomicInteger forOne = new AtomicInteger();
    List<Reconciliation.Row> one =
        new Reconciliation(counting(forOne), database).compute(day(NEXT_DAY));
    AtomicInteger forThousand = new AtomicInteger();
    long started = System.nanoTime();
    List<Reconciliation.Row> thousand =
        new Reconciliation(counting(forThousand), database).compute(day(DAY));
    System.out.printf(
        "reconciliation: %d statement(s) in %d queries; %d statements in %d queries, %.3f s%n",
        one.size(),
        forOne.get(),
        thousand.size(),
        forThousand.get(),
        (System.nanoTime() - started) / 1e9);

    assertThat(one).hasSize(1);
    assertThat(thousand).hasSize(STATEMENTS);
    assertThat(forThousand.get()).isEqualTo(forOne.get());
    assertThat(forOne.get()).isLessThanOrEqualTo(3); // statements, metered requests, metered net
  }

  @Test
  @DisplayName("each statement against its own channel, hours and currency, by hand")
  void shouldMeterEachStatementOverItsOwnPeriodChannelAndCurrency() throws Exception {
    Map<String, Reconciliation.Row> rows = new java.util.HashMap<>();
    new Reconciliation(clickHouse, database)
        .compute(day(DAY))
        .forEach(r -> rows.put(r.billingId(), r));

    // i = 0: cloud-nimbus, hour 0 for 1 hour: 100 requests, net 0.25 USD (the EUR 99 is another
    // currency).
    // Reported 1000 and 0.0000: (1000 − 100) / 100 = +900 %; (0 − 0.25) / 0.25 = −100 %.
    assertRow(rows.get("stmt-0000"), "cloud-nimbus", 100, "0.2500", 900.0, -100.0);
    // i = 7: cloud-stratus, hours 7..10: 1007 + 1008 + 1009 + 1010 = 4034; net 4 × 7 = 28.
    // Reported 1007 and 7: (1007 − 4034) / 4034; (7 − 28) / 28 = −75 %.
    assertRow(
        rows.get("stmt-0007"),
        "cloud-stratus",
        4034,
        "28.0000",
        (1007 - 4034) * 100.0 / 4034,
        -75.0);
    // i = 42: cloud-nimbus, hours 2..4 (42 % 20 = 2, 1 + 42 % 4 = 3 hours): 102 + 103 + 104 = 309;
    // net 2.25 + 3.25 + 4.25 = 9.75. Reported 1042 and 42: (1042 − 309) / 309; (42 − 9.75) / 9.75.
    assertRow(
        rows.get("stmt-0042"),
        "cloud-nimbus",
        309,
        "9.7500",
        (1042 - 309) * 100.0 / 309,
        (42 - 9.75) * 100 / 9.75);
    // i = 999: cloud-stratus, hours 19..22: 1019 + 1020 + 1021 + 1022 = 4082; net 28.
    assertRow(
        rows.get("stmt-0999"),
        "cloud-stratus",
        4082,
        "28.0000",
        (1999 - 4082) * 100.0 / 4082,
        (999 - 28) * 100.0 / 28);

    // The next day's statement: hours 24 and 25 of cloud-nimbus: 124 + 125 = 249; net 24.25 + 25.25
    // = 49.5.
    // Reported 249 and 50: 0 %; (50 − 49.5) / 49.5.
    Reconciliation.Row next =
        new Reconciliation(clickHouse, database).compute(day(NEXT_DAY)).get(0);
    assertRow(next, "cloud-nimbus", 249, "49.5000", 0.0, 0.5 * 100 / 49.5);
  }

  private static void assertRow(
      Reconciliation.Row row,
      String channel,
      long metered,
      String meteredNet,
      double requestGap,
      double netGap) {
    assertThat(row.channelId()).isEqualTo(channel);
    assertThat(row.meteredRequests()).isEqualTo(metered);
    assertThat(Amounts.exact(row.meteredNet())).isEqualTo(meteredNet);
    assertThat(row.requestGapPercent()).isCloseTo(requestGap, within(1e-9));
    assertThat(row.netGapPercent()).isCloseTo(netGap, within(1e-9));
  }

  @Test
  @DisplayName(
      "a partner reconciles its own 500 statements against its own rows, in as many queries")
  void shouldReconcileAPartnersOwnStatementsOnly() throws Exception {
    AtomicInteger queries = new AtomicInteger();
    List<Reconciliation.Row> nimbus =
        new Reconciliation(counting(queries), database)
            .compute(
                new TimeRange(
                    WindowSize.HOUR, DAY, NEXT_DAY, List.of("cloud-nimbus"), "nimbus-cloud"));

    assertThat(nimbus)
        .hasSize(STATEMENTS / 2)
        .allSatisfy(r -> assertThat(r.channelId()).isEqualTo("cloud-nimbus"));
    assertThat(queries.get()).isLessThanOrEqualTo(3);
    // i = 42 again, as the lab saw it.
    assertRow(
        nimbus.stream().filter(r -> r.billingId().equals("stmt-0042")).findFirst().orElseThrow(),
        "cloud-nimbus",
        309,
        "9.7500",
        (1042 - 309) * 100.0 / 309,
        (42 - 9.75) * 100 / 9.75);
    // Another partner's key reads none of nimbus's rows, even naming the channel.
    assertThat(
            new Reconciliation(clickHouse, database)
                .compute(
                    new TimeRange(
                        WindowSize.HOUR, DAY, NEXT_DAY, List.of("cloud-nimbus"), "stratus-cloud")))
        .allSatisfy(r -> assertThat(r.meteredRequests()).isZero());
  }

  @Test
  @DisplayName("a partner's billing id that is a spreadsheet formula leaves the CSV as text")
  void shouldNeutraliseAFormulaInTheCsv() throws Exception {
    AudienceQueries queries =
        new AudienceQueries(
            new MetricsReader(clickHouse, database),
            new Reconciliation(clickHouse, database),
            Clock.systemUTC());
    String csv =
        Csv.write(
            queries.run(AudienceQueries.View.RECONCILIATION, day(NEXT_DAY), Finance.Period.DAY));

    List<String> lines = csv.lines().toList();
    assertThat(lines.get(0)).startsWith("billing_id,channel_id,");
    assertThat(lines.get(1))
        .startsWith("\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"pay here\"\")\",cloud-nimbus,")
        .contains(",USD,249,249,0.0,50.0000,49.5000,");
  }
}
