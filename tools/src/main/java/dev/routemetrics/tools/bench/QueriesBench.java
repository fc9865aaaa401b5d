package dev.routemetrics.tools.bench;

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
import java.io.PrintStream;
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
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The audience queries' benchmark (bin/routemetrics bench-queries): a fresh database filled with
 * the metric rows a steady month of traffic over every channel produces, in every window size, then
 * each view timed over the range its audience looks at, as p50 and p95 of its runs.
 */
public final class QueriesBench {

  /** One view's timing: the rows it answered and its p50 and p95 in milliseconds. */
  public record Timing(String view, String range, int rows, double p50Millis, double p95Millis) {

    /** A row of the Markdown table the command prints. */
    public String line() {
      return String.format(
          Locale.ROOT, "| %s | %s | %d | %.1f | %.1f |", view, range, rows, p50Millis, p95Millis);
    }
  }

  /** The database filled, its metric rows, and each view's timing. */
  public record Result(String database, long metricRows, long events, List<Timing> timings) {}

  private QueriesBench() {}

  /**
   * Fills {@code bench_queries_<millis>} with rows standing for {@code events} over {@code days}
   * days up to 2026-11-01, and times each view {@code runs} times after one warm-up run; drops the
   * database unless {@code keep}.
   */
  public static Result run(long events, int days, int runs, boolean keep, PrintStream progress)
      throws Exception {
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
    long standsFor = perMinute * minutes * channels.size();
    progress.printf(
        "filled %s: %,d metric rows standing for %,d events%n", database, rows, standsFor);

    AudienceQueries queries =
        new AudienceQueries(
            new MetricsReader(clickHouse, database),
            new Reconciliation(clickHouse, database),
            Clock.fixed(end, ZoneOffset.UTC));
    List<Timing> timings = new ArrayList<>();
    timings.add(
        time(
            queries,
            AudienceQueries.View.HEALTH,
            new TimeRange(WindowSize.MINUTE, end.minus(Duration.ofMinutes(15)), end, List.of()),
            "MINUTE, last 15 min",
            runs));
    timings.add(
        time(
            queries,
            AudienceQueries.View.REACH_CONTROL,
            new TimeRange(WindowSize.HOUR, end.minus(Duration.ofHours(24)), end, List.of()),
            "HOUR, last 24 h",
            runs));
    timings.add(
        time(
            queries,
            AudienceQueries.View.LEARNING,
            new TimeRange(WindowSize.HOUR, end.minus(Duration.ofHours(24)), end, List.of()),
            "HOUR, last 24 h",
            runs));
    timings.add(
        time(
            queries,
            AudienceQueries.View.FINANCE,
            new TimeRange(WindowSize.DAY, start, end, List.of()),
            "DAY, " + days + " days",
            runs));
    timings.add(
        time(
            queries,
            AudienceQueries.View.REACH_CONTROL,
            new TimeRange(WindowSize.DAY, start, end, List.of()),
            "DAY, " + days + " days",
            runs));
    if (!keep) {
      try (Connection connection = clickHouse.connect();
          Statement statement = connection.createStatement()) {
        statement.execute("DROP DATABASE " + database);
      }
    }
    return new Result(database, rows, standsFor, timings);
  }

  private static Timing time(
      AudienceQueries queries, AudienceQueries.View view, TimeRange range, String label, int runs)
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
    return new Timing(
        view.name().toLowerCase(Locale.ROOT).replace('_', '-'),
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
      for (WindowSize size : WindowSize.values()) {
        long step = size.duration().toMinutes();
        List<ChannelWindowMetrics> batch = new ArrayList<>();
        List<ChannelWindowRevenue> money = new ArrayList<>();
        for (long m = 0; m < minutes; m += step) {
          Instant at = start.plus(Duration.ofMinutes(m));
          for (Channel channel : channels) {
            long requests = perMinute * step;
            batch.add(
                ChannelWindowMetrics.newBuilder()
                    .setChannelId(channel.id())
                    .setWindowSize(size.symbol())
                    .setWindowStart(at)
                    .setVersion(1)
                    .setRoute(channel.route())
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
            if (size != WindowSize.MINUTE) {
              BigDecimal net = BigDecimal.valueOf(requests).movePointLeft(3).setScale(4);
              money.add(
                  ChannelWindowRevenue.newBuilder()
                      .setChannelId(channel.id())
                      .setWindowSize(size.symbol())
                      .setWindowStart(at)
                      .setCurrency("USD")
                      .setVersion(1)
                      .setRoute(channel.route())
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
