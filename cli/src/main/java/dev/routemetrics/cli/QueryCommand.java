package dev.routemetrics.cli;

import dev.routemetrics.query.AudienceQueries;
import dev.routemetrics.query.Finance;
import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.QueryConfig;
import dev.routemetrics.query.Reconciliation;
import dev.routemetrics.query.RegistryHistory;
import dev.routemetrics.query.TimeRange;
import dev.routemetrics.query.http.Csv;
import dev.routemetrics.query.http.Json;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "query",
    mixinStandardHelpOptions = true,
    description = {
      "Print an audience's view from ClickHouse, one of:",
      "  health          traffic, error rate, p95 and freshness per channel.",
      "  reach-control   request share vs control score, partner concentration.",
      "  learning        coverage, trainable rate, learning loss, lost signals.",
      "                  They count feedback about the window's requests.",
      "                  feedback_received counts what came in meanwhile.",
      "  finance         direct vs partner revenue, partner take, capture rate.",
      "  reconciliation  partner statements against metered requests and net.",
      "  trend           requests, share, error rate and p95 per window.",
      "  registry        each channel's route, partner, take rate at --until.",
      "  control-map     owners of each channel's six control points at --at.",
      "  quarantine      what was kept aside, by day, family, reason, channel.",
      "                  Dead letters too; too-late ones say if counted earlier.",
      "  substitution    latency and price elasticity, rented volume.",
      "Money is printed as exact decimals with four places (39763.5800)."
    })
final class QueryCommand implements Callable<Integer> {

  enum Format {
    TABLE,
    CSV,
    JSON
  }

  @Spec CommandSpec spec;

  @Mixin Settings settings;

  @Parameters(index = "0", description = "A view named above.")
  String view;

  @Option(
      names = "--window",
      description =
          "MINUTE, HOUR or DAY, any case (default: MINUTE for health, DAY for finance, "
              + "HOUR otherwise).")
  WindowSize window;

  @Option(
      names = "--from",
      description =
          "Start of the range, ISO-8601 UTC, 1970 or later (default: 15 minutes, "
              + "24 hours or 31 days before --until, by window).")
  Instant from;

  @Option(
      names = "--until",
      description = "End of the range, exclusive, before 2106 (default: now).")
  Instant until;

  @Option(
      names = "--channel",
      split = ",",
      description = "Only these channels (repeatable or comma-separated).")
  List<String> channels = new ArrayList<>();

  @Option(
      names = "--period",
      defaultValue = "DAY",
      description = "Finance buckets: DAY or MONTH (default: ${DEFAULT-VALUE}).")
  Finance.Period period;

  @Option(
      names = "--at",
      description = "control-map: the moment to read, ISO-8601 UTC (default: now).")
  Instant at;

  @Option(
      names = "--format",
      defaultValue = "TABLE",
      description = "TABLE, CSV or JSON, any case (default: ${DEFAULT-VALUE}).")
  Format format;

  @Override
  public Integer call() throws Exception {
    QueryConfig config = new QueryConfig(settings.overrides);
    List<Map<String, Object>> rows =
        view.equalsIgnoreCase("registry") ? registry(config) : view(config);
    print(rows, format);
    if (rows.isEmpty()) {
      System.err.println(nothingFound);
    }
    return 0;
  }

  /**
   * What stderr says when a view has no rows, so that an empty answer is not mistaken for a failure
   * or for the end of the data: the README's examples read yesterday's demo by default ranges that
   * ended today, and printed nothing at all.
   */
  private String nothingFound = "no rows";

  static String nothingFound(
      String view, WindowSize size, Instant start, Instant end, List<String> channels) {
    return "no "
        + view
        + " rows for "
        + size
        + " windows from "
        + start
        + " until "
        + end
        + (channels == null || channels.isEmpty() ? "" : " on " + String.join(",", channels))
        + "; without --from the range is the last 15 minutes, 24 hours or 31 days before --until"
        + " (MINUTE, HOUR, DAY): set --from and --until to the data's days";
  }

  static void print(List<Map<String, Object>> rows, Format format) throws Exception {
    switch (format) {
      case JSON ->
          System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(rows));
      case CSV -> System.out.print(Csv.write(rows));
      case TABLE -> Table.print(rows);
    }
  }

  private List<Map<String, Object>> registry(QueryConfig config) throws Exception {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (RegistryHistory.Row r :
        new RegistryHistory(new ClickHouse(config), config.database())
            .asOf(until != null ? until : Instant.now())) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("channel_id", r.channelId());
      row.put("registry_version", r.registryVersion());
      row.put("effective_from", r.effectiveFrom());
      row.put("route", r.route());
      row.put("partner_id", r.partnerId());
      row.put("take_rate", r.takeRate().toPlainString());
      row.put("control_points_owned", r.controlPointsOwned());
      row.put("retired", r.retired());
      rows.add(row);
    }
    return rows;
  }

  private List<Map<String, Object>> view(QueryConfig config) throws Exception {
    AudienceQueries.View chosen;
    try {
      chosen = AudienceQueries.View.valueOf(view.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(),
          "<view>: unknown view '"
              + view
              + "'; one of health, reach-control, learning, finance, reconciliation, trend,"
              + " registry, control-map, quarantine, substitution");
    }
    if (chosen == AudienceQueries.View.WHAT_IF) {
      throw new ParameterException(
          spec.commandLine(),
          "<view>: the what-if has its own command: routemetrics what-if --help");
    }
    WindowSize size =
        window != null
            ? window
            : switch (chosen) {
              case HEALTH -> WindowSize.MINUTE;
              case FINANCE -> WindowSize.DAY;
              default -> WindowSize.HOUR;
            };
    Instant end = until != null ? until : Instant.now().plus(Duration.ofMinutes(1));
    for (String problem :
        new String[] {
          from == null ? null : TimeRange.unstorable("--from", from),
          TimeRange.unstorable("--until", end)
        }) {
      if (problem != null) {
        throw new ParameterException(spec.commandLine(), problem);
      }
    }
    Instant lookBack =
        end.minus(
            switch (size) {
              case MINUTE -> Duration.ofMinutes(15);
              case HOUR -> Duration.ofHours(24);
              case DAY -> Duration.ofDays(31);
            });
    Instant start =
        from != null ? from : lookBack.isBefore(TimeRange.EARLIEST) ? TimeRange.EARLIEST : lookBack;
    if (!start.isBefore(end)) {
      throw new ParameterException(
          spec.commandLine(),
          "--from: must be before --until (" + start + " is not before " + end + ")");
    }
    nothingFound = nothingFound(view, size, start, end, channels);
    return new AudienceQueries(
            new MetricsReader(new ClickHouse(config), config.database()),
            new Reconciliation(new ClickHouse(config), config.database()),
            Clock.systemUTC())
        .run(
            chosen,
            new TimeRange(size, start, end, channels),
            period,
            new AudienceQueries.Options(null, at));
  }
}
