package dev.routemetrics.cli;

import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.query.AudienceQueries;
import dev.routemetrics.query.Finance;
import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.Reconciliation;
import dev.routemetrics.query.TimeRange;
import dev.routemetrics.schemas.registry.Channel;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.sink.ChannelMetricsWriter;
import dev.routemetrics.sink.ChannelRevenueWriter;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.sink.migrations.Migrations;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "bench-queries",
    mixinStandardHelpOptions = true,
    description = {
      "Measure the audience queries: the time of each view over a month of metric rows.",
      "It fills a fresh database with the metric rows a month of traffic (--events in all, over"
          + " every channel) produces",
      "in MINUTE, HOUR and DAY windows, then times each view --runs times over the range its"
          + " audience looks at.",
      "Prints p50 and p95 per view in milliseconds."
    })
final class BenchQueriesCommand implements Callable<Integer> {

  @Option(
      names = "--events",
      defaultValue = "10000000",
      description = "Events the rows stand for (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--days",
      defaultValue = "30",
      description = "Days of traffic (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--runs",
      defaultValue = "50",
      description = "Timed runs per view (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--keep", description = "Keep the database afterwards.")
  boolean keep;

  @Override
  public Integer call() throws Exception {
    String database = "bench_queries_" + System.currentTimeMillis();
    WarehouseConfig config = new WarehouseConfig(Map.of(WarehouseConfig.DATABASE, database));
    ClickHouse clickHouse = new ClickHouse(config);
    new Migrations(clickHouse, database).apply();
    List<Channel> channels = new ArrayList<>(ChannelRegistry.builtIn().channels());
    Instant end = Instant.parse("2026-11-01T00:00:00Z");
    Instant start = end.minus(Duration.ofDays(days));
    long minutes = Duration.ofDays(days).toMinutes();
    long perMinute =
        Math.max(1, (events + minutes * channels.size() - 1) / (minutes * channels.size()));
    long rows = fill(clickHouse, database, channels, start, minutes, perMinute);
    System.err.printf(
        "filled %s: %,d metric rows standing for %,d events%n",
        database, rows, perMinute * minutes * channels.size());

    AudienceQueries queries =
        new AudienceQueries(
            new MetricsReader(clickHouse, database),
            new Reconciliation(clickHouse, database),
            Clock.fixed(end, ZoneOffset.UTC));
    System.out.println("| view | window, range | rows | p50 ms | p95 ms |");
    System.out.println("|---|---|---:|---:|---:|");
    time(
        queries,
        AudienceQueries.View.HEALTH,
        new TimeRange(WindowSize.MINUTE, end.minus(Duration.ofMinutes(15)), end, List.of()),
        "MINUTE, last 15 min");
    time(
        queries,
        AudienceQueries.View.REACH_CONTROL,
        new TimeRange(WindowSize.HOUR, end.minus(Duration.ofHours(24)), end, List.of()),
        "HOUR, last 24 h");
    time(
        queries,
        AudienceQueries.View.LEARNING,
        new TimeRange(WindowSize.HOUR, end.minus(Duration.ofHours(24)), end, List.of()),
        "HOUR, last 24 h");
    time(
        queries,
        AudienceQueries.View.FINANCE,
        new TimeRange(WindowSize.DAY, start, end, List.of()),
        "DAY, " + days + " days");
    time(
        queries,
        AudienceQueries.View.REACH_CONTROL,
        new TimeRange(WindowSize.DAY, start, end, List.of()),
        "DAY, " + days + " days");
    if (!keep) {
      try (Connection connection = clickHouse.connect();
          Statement statement = connection.createStatement()) {
        statement.execute("DROP DATABASE " + database);
      }
    }
    return 0;
  }

  private void time(
      AudienceQueries queries, AudienceQueries.View view, TimeRange range, String label)
      throws Exception {
    queries.run(view, range, Finance.Period.DAY); // warm-up
    long[] nanos = new long[runs];
    int rows = 0;
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      rows = queries.run(view, range, Finance.Period.DAY).size();
      nanos[i] = System.nanoTime() - t0;
    }
    Arrays.sort(nanos);
    System.out.printf(
        "| %s | %s | %d | %.1f | %.1f |%n",
        view.name().toLowerCase().replace('_', '-'),
        label,
        rows,
        nanos[(int) Math.ceil(0.5 * runs) - 1] / 1e6,
        nanos[(int) Math.ceil(0.95 * runs) - 1] / 1e6);
  }

  /**
   * Rows as the topology would emit them for steady traffic: every channel, every window, one
   * version.
   */
  private static long fill(
      ClickHouse clickHouse,
      String database,
      List<Channel> channels,
      Instant start,
      long minutes,
      long perMinute)
      throws Exception {
    ChannelMetricsWriter metrics = new ChannelMetricsWriter(database);
    ChannelRevenueWriter revenue = new ChannelRevenueWriter(database);
    SplittableRandom random = new SplittableRandom(1);
    long written = 0;
    try (Connection connection = clickHouse.connect()) {
      for (String size : List.of("MINUTE", "HOUR", "DAY")) {
        long step = size.equals("MINUTE") ? 1 : size.equals("HOUR") ? 60 : 1440;
        List<ChannelWindowMetrics> batch = new ArrayList<>();
        List<ChannelWindowRevenue> money = new ArrayList<>();
        for (long m = 0; m < minutes; m += step) {
          Instant at = start.plus(Duration.ofMinutes(m));
          for (Channel channel : channels) {
            long requests = perMinute * step;
            batch.add(
                ChannelWindowMetrics.newBuilder()
                    .setChannelId(channel.id())
                    .setWindowSize(size)
                    .setWindowStart(at)
                    .setVersion(1)
                    .setRoute(channel.route().name())
                    .setPartnerId(channel.partnerId())
                    .setControlPointsOwned(channel.controlPointsOwned())
                    .setUsageEvents(requests)
                    .setRequests(requests)
                    .setInputTokens(requests * 500)
                    .setOutputTokens(requests * 150)
                    .setActiveAccounts(Math.min(requests, 40))
                    .setVisibleEndUsers(channel.isDirect() ? Math.min(requests, 500) : 0)
                    .setIdentifiedRequests(channel.isDirect() ? requests : 0)
                    .setErrorRequests(random.nextLong(1 + requests / 50))
                    .setLatencyP50Ms(400.0)
                    .setLatencyP95Ms(1200.0 + random.nextInt(400))
                    .setLatencyP99Ms(2500.0)
                    .setFullTelemetryRequests(channel.isDirect() ? requests / 2 : 0)
                    .setFeedbackEvents(requests / 20)
                    .setTrainableFeedback(channel.isDirect() ? requests / 25 : requests / 200)
                    .setCoveredRequests(requests / 15)
                    .setNewestEventTime(at.plus(Duration.ofMinutes(step)).minusSeconds(1))
                    .build());
            if (!size.equals("MINUTE")) {
              BigDecimal net = BigDecimal.valueOf(requests).movePointLeft(3).setScale(4);
              money.add(
                  ChannelWindowRevenue.newBuilder()
                      .setChannelId(channel.id())
                      .setWindowSize(size)
                      .setWindowStart(at)
                      .setCurrency("USD")
                      .setVersion(1)
                      .setRoute(channel.route().name())
                      .setPartnerId(channel.partnerId())
                      .setBillingEvents(1)
                      .setGross(net)
                      .setNetWhereGrossKnown(net)
                      .setPartnerFee(BigDecimal.ZERO.setScale(4))
                      .setNet(net)
                      .setNetBilledByLab(channel.isDirect() ? net : BigDecimal.ZERO.setScale(4))
                      .build());
            }
          }
          if (batch.size() >= 50_000) {
            metrics.insert(connection, batch);
            written += batch.size();
            batch.clear();
          }
        }
        metrics.insert(connection, batch);
        written += batch.size();
        if (!money.isEmpty()) {
          revenue.insert(connection, money);
        }
      }
    }
    return written;
  }
}
