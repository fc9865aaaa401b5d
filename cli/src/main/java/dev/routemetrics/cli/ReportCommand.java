package dev.routemetrics.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.query.ChannelRequests;
import dev.routemetrics.schemas.registry.Channel;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = "Print requests per channel over a time range, read from ClickHouse.")
final class ReportCommand implements Callable<Integer> {

  @Mixin Settings settings;

  @Option(names = "--from", description = "Start of the range, ISO-8601 UTC (default: 7 days ago).")
  Instant from;

  @Option(
      names = "--until",
      description = "End of the range, exclusive, ISO-8601 UTC (default: one day from now).")
  Instant until;

  @Option(
      names = "--expect",
      description =
          "A file from `demo-traffic --expected-out`: wait until ClickHouse holds exactly "
              + "those requests over its range, and show them side by side.")
  Path expect;

  @Option(
      names = "--timeout",
      defaultValue = "60",
      description = "Seconds to wait for --expect (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    WarehouseConfig config = new WarehouseConfig(settings.overrides);
    ChannelRequests query = new ChannelRequests(new ClickHouse(config), config.database());
    Map<String, Long> expected = Map.of();
    if (expect != null) {
      Expectation expectation = new ObjectMapper().readValue(expect.toFile(), Expectation.class);
      from = Instant.parse(expectation.from());
      until = Instant.parse(expectation.until());
      expected = new TreeMap<>(expectation.requests());
    }
    Instant now = Instant.now();
    Instant rangeFrom = from != null ? from : now.minus(Duration.ofDays(7));
    Instant rangeUntil = until != null ? until : now.plus(Duration.ofDays(1));

    long deadline = System.currentTimeMillis() + timeoutSeconds * 1000L;
    List<ChannelRequests.Row> rows = query.between(rangeFrom, rangeUntil);
    while (expect != null
        && !requests(rows).equals(expected)
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(500);
      rows = query.between(rangeFrom, rangeUntil);
    }
    print(rows, expected, rangeFrom, rangeUntil);
    if (expect != null && !requests(rows).equals(expected)) {
      System.err.println(
          "routemetrics: ClickHouse does not hold the expected requests after "
              + timeoutSeconds
              + " s; see .state/logs/{ingest,streams,sink}.log");
      return 1;
    }
    return 0;
  }

  private static Map<String, Long> requests(List<ChannelRequests.Row> rows) {
    Map<String, Long> requests = new TreeMap<>();
    rows.forEach(row -> requests.put(row.channelId(), row.requests()));
    return requests;
  }

  private static void print(
      List<ChannelRequests.Row> rows, Map<String, Long> expected, Instant from, Instant until) {
    ChannelRegistry registry = ChannelRegistry.builtIn();
    boolean compare = !expected.isEmpty();
    System.out.printf("requests per channel, %s to %s, from ClickHouse%n", from, until);
    System.out.printf(
        "%-22s %-20s %12s %10s %8s%s%n",
        "channel",
        "route",
        "requests",
        "events",
        "minutes",
        compare ? String.format(" %12s", "expected") : "");
    long total = 0;
    for (ChannelRequests.Row row : rows) {
      String route = registry.find(row.channelId()).map(Channel::route).map(Enum::name).orElse("?");
      String check =
          compare
              ? String.format(
                  " %12d %s",
                  expected.getOrDefault(row.channelId(), 0L),
                  row.requests() == expected.getOrDefault(row.channelId(), 0L) ? "ok" : "MISMATCH")
              : "";
      System.out.printf(
          "%-22s %-20s %12d %10d %8d%s%n",
          row.channelId(), route, row.requests(), row.usageEvents(), row.windows(), check);
      total += row.requests();
    }
    System.out.printf(
        "%-22s %-20s %12d%s%n",
        "all channels",
        "",
        total,
        compare
            ? String.format(
                " %10s %8s %12d",
                "", "", expected.values().stream().mapToLong(Long::longValue).sum())
            : "");
  }
}
