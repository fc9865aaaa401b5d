package dev.routemetrics.query.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.Route;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.query.ChannelRequests;
import dev.routemetrics.query.ChannelWindow;
import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.TimeRange;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.sink.ChannelMetricsWriter;
import dev.routemetrics.sink.ChannelRevenueWriter;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.sink.migrations.Migrations;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same migrations, writes and queries on one ClickHouse server and on deploy/cluster.sh's 2
 * shards x 2 replicas, with the same answers: every channel's window read once, at its newest
 * version, whatever order and repetition the writes came in; and on the cluster every version of a
 * channel on one shard (so FINAL, applied per shard, is exact) and each shard's rows on both of its
 * replicas.
 */
// On deploy/cluster.sh's cluster (seven more servers): deploy/test.sh starts it and sets
// ROUTEMETRICS_CLUSTER_TESTS=1 unless it is 0; a plain `mvn verify` leaves the cluster ITs out.
@org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable(
    named = "ROUTEMETRICS_CLUSTER_TESTS",
    matches = "1")
class ClusterLayoutIT {

  private static final Instant HOUR = Instant.parse("2026-11-01T10:00:00Z");
  private static final int CHANNELS = 16;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"single", "cluster"})
  @DisplayName("the newest version of every window, read through the same queries on both layouts")
  void shouldAnswerTheSameOnBothLayouts(String layout) throws Exception {
    boolean cluster = layout.equals("cluster");
    String database = "it_layout_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Map<String, Object> overrides =
        new java.util.HashMap<>(Map.of(WarehouseConfig.DATABASE, database));
    if (cluster) {
      Map<String, String> env = LocalCluster.up();
      overrides.put(WarehouseConfig.CLICKHOUSE_URL, env.get("ROUTEMETRICS_CLICKHOUSE_URL"));
      overrides.put(WarehouseConfig.CLICKHOUSE_CLUSTER, env.get("ROUTEMETRICS_CLICKHOUSE_CLUSTER"));
    } else {
      overrides.put(WarehouseConfig.CLICKHOUSE_CLUSTER, "");
    }
    WarehouseConfig config = new WarehouseConfig(overrides);
    ClickHouse clickHouse = new ClickHouse(config);
    try {
      assertThat(new Migrations(clickHouse, database, config.cluster()).apply())
          .hasSize(Migrations.all(database).size());
      assertThat(new Migrations(clickHouse, database, config.cluster()).apply())
          .as("second run")
          .isEmpty();

      // Channel c, window w (HOUR and the next hour), version v: requests 1000c + 100w + v.
      // Versions 1..3
      // arrive as 2, 1, 3, 2, 3 (a late event raised it; the sink replays batches after a crash).
      List<ChannelWindowMetrics> metrics = new ArrayList<>();
      List<ChannelWindowRevenue> revenue = new ArrayList<>();
      for (long v : new long[] {2, 1, 3, 2, 3}) {
        for (int c = 0; c < CHANNELS; c++) {
          for (int w = 0; w < 2; w++) {
            // The same figures in the MINUTE window at the hour's start, which ChannelRequests
            // reads.
            for (WindowSize size : List.of(WindowSize.HOUR, WindowSize.MINUTE)) {
              metrics.add(
                  metrics(
                      channel(c), size, HOUR.plusSeconds(3600L * w), v, 1000L * c + 100L * w + v));
            }
          }
          revenue.add(revenue(channel(c), v, new BigDecimal(c + "." + v + "001")));
        }
        try (Connection connection = clickHouse.connect()) {
          new ChannelMetricsWriter(database).insert(connection, metrics);
          new ChannelRevenueWriter(database).insert(connection, revenue);
        }
        metrics.clear();
        revenue.clear();
      }

      TimeRange twoHours = new TimeRange(WindowSize.HOUR, HOUR, HOUR.plusSeconds(7200), List.of());
      List<ChannelWindow.Usage> rows = new MetricsReader(clickHouse, database).metrics(twoHours);
      assertThat(rows).hasSize(CHANNELS * 2);
      for (ChannelWindow.Usage row : rows) {
        int c = Integer.parseInt(row.channelId().substring(3));
        long w = (row.windowStart().getEpochSecond() - HOUR.getEpochSecond()) / 3600;
        assertThat(row.requests())
            .as(row.channelId() + " " + row.windowStart())
            .isEqualTo(1000L * c + 100L * w + 3);
        assertThat(row.usageEvents()).isEqualTo(3);
      }
      List<ChannelWindow.Money> money = new MetricsReader(clickHouse, database).revenue(twoHours);
      assertThat(money).hasSize(CHANNELS);
      for (ChannelWindow.Money row : money) {
        int c = Integer.parseInt(row.channelId().substring(3));
        assertThat(row.net()).as(row.channelId()).isEqualByComparingTo(c + ".3001");
        assertThat(row.billingEvents()).isEqualTo(3);
      }
      // Per channel over both hours: (1000c + 3) + (1000c + 100 + 3) requests, 3 + 3 usage events,
      // 2 windows.
      List<ChannelRequests.Row> totals =
          new ChannelRequests(clickHouse, database).between(HOUR, HOUR.plusSeconds(7200));
      assertThat(totals).hasSize(CHANNELS);
      for (ChannelRequests.Row row : totals) {
        int c = Integer.parseInt(row.channelId().substring(3));
        assertThat(row.requests()).as(row.channelId()).isEqualTo(2000L * c + 106);
        assertThat(row.usageEvents()).isEqualTo(6);
        assertThat(row.windows()).isEqualTo(2);
      }

      if (cluster) {
        Set<String> shard1 = channelsOnNode(database, 1, 1);
        Set<String> shard2 = channelsOnNode(database, 2, 1);
        assertThat(shard1).as("both shards hold channels").isNotEmpty();
        assertThat(shard2).as("both shards hold channels").isNotEmpty();
        assertThat(shard1).as("no channel on both shards").doesNotContainAnyElementsOf(shard2);
        assertThat(shard1.size() + shard2.size()).isEqualTo(CHANNELS);
        assertThat(channelsOnNode(database, 1, 2)).as("replica 2 of shard 1").isEqualTo(shard1);
        assertThat(channelsOnNode(database, 2, 2)).as("replica 2 of shard 2").isEqualTo(shard2);
      }
    } finally {
      try (Connection connection = clickHouse.connect();
          Statement statement = connection.createStatement()) {
        statement.execute(
            "DROP DATABASE IF EXISTS "
                + database
                + (cluster ? " ON CLUSTER " + config.cluster() : ""));
      }
    }
  }

  /**
   * Channels in one node's local channel_metrics table, waiting for replication to bring them (at
   * most 60 s).
   */
  private static Set<String> channelsOnNode(String database, int shard, int replica)
      throws Exception {
    ClickHouse node =
        new ClickHouse(
            new WarehouseConfig(
                Map.of(WarehouseConfig.CLICKHOUSE_URL, LocalCluster.node(shard, replica))));
    Set<String> channels = new HashSet<>();
    long rows = 0;
    for (int attempt = 0; attempt < 120; attempt++) {
      channels.clear();
      try (Connection connection = node.connect();
          Statement statement = connection.createStatement();
          ResultSet result =
              statement.executeQuery(
                  "SELECT channel_id, count() FROM "
                      + database
                      + ".channel_metrics_local GROUP BY channel_id")) {
        rows = 0;
        while (result.next()) {
          channels.add(result.getString(1));
          rows += result.getLong(2);
        }
      }
      // Every channel there has 2 window sizes x 2 windows x 5 writes.
      if (!channels.isEmpty() && rows == channels.size() * 20L) {
        break;
      }
      Thread.sleep(500);
    }
    return channels;
  }

  private static String channel(int c) {
    return String.format("ch-%02d", c);
  }

  private static ChannelWindowMetrics metrics(
      String channel, WindowSize size, Instant window, long version, long requests) {
    return ChannelWindowMetrics.newBuilder()
        .setChannelId(channel)
        .setWindowSize(size.symbol())
        .setWindowStart(window)
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
        .setErrorRequests(0)
        .setLatencyP50Ms(100.0)
        .setLatencyP95Ms(200.0)
        .setLatencyP99Ms(null)
        .setFullTelemetryRequests(0)
        .setFeedbackEvents(0)
        .setTrainableFeedback(0)
        .setCoveredRequests(0)
        .setNewestEventTime(window.plusSeconds(version))
        .setFeedbackReceived(0)
        .setTrainableReceived(0)
        .build();
  }

  private static ChannelWindowRevenue revenue(String channel, long version, BigDecimal net) {
    return ChannelWindowRevenue.newBuilder()
        .setChannelId(channel)
        .setWindowSize(dev.routemetrics.metrics.WindowSize.HOUR)
        .setWindowStart(HOUR)
        .setCurrency("USD")
        .setVersion(version)
        .setRoute(Route.CLOUD_PARTNER)
        .setPartnerId("nimbus-cloud")
        .setBillingEvents(version)
        .setGross(net)
        .setNetWhereGrossKnown(net)
        .setPartnerFee(BigDecimal.ZERO.setScale(4))
        .setNet(net)
        .setNetBilledByLab(BigDecimal.ZERO.setScale(4))
        .build();
  }
}
