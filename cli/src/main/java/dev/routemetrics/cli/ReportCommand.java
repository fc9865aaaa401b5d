package dev.routemetrics.cli;

import dev.routemetrics.schemas.registry.Channel;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.warehouse.ClickHouse;
import dev.routemetrics.warehouse.WarehouseConfig;
import dev.routemetrics.warehouse.query.ChannelRequests;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Print requests per channel over a time range, read from ClickHouse.")
final class ReportCommand implements Callable<Integer> {

  @Mixin Settings settings;

  @Option(names = "--from", description = "Start of the range, ISO-8601 UTC (default: 7 days ago).")
  Instant from;

  @Option(names = "--until", description = "End of the range, exclusive, ISO-8601 UTC (default: one day from now).")
  Instant until;

  @Override
  public Integer call() throws Exception {
    WarehouseConfig config = new WarehouseConfig(settings.overrides);
    Instant now = Instant.now();
    List<ChannelRequests.Row> rows = new ChannelRequests(new ClickHouse(config), config.database())
        .between(from != null ? from : now.minus(Duration.ofDays(7)), until != null ? until : now.plus(Duration.ofDays(1)));
    ChannelRegistry registry = ChannelRegistry.builtIn();
    System.out.printf("%-22s %-20s %12s %12s %8s%n", "channel", "route", "requests", "events", "minutes");
    long total = 0;
    for (ChannelRequests.Row row : rows) {
      String route = registry.find(row.channelId()).map(Channel::route).map(Enum::name).orElse("?");
      System.out.printf("%-22s %-20s %12d %12d %8d%n", row.channelId(), route, row.requests(), row.usageEvents(), row.windows());
      total += row.requests();
    }
    System.out.printf("%-22s %-20s %12d%n", "all channels", "", total);
    return 0;
  }
}
