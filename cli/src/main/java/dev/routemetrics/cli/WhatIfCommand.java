package dev.routemetrics.cli;

import dev.routemetrics.query.AudienceQueries;
import dev.routemetrics.query.Finance;
import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.QueryConfig;
import dev.routemetrics.query.Reconciliation;
import dev.routemetrics.query.TimeRange;
import dev.routemetrics.query.WhatIf;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "what-if",
    mixinStandardHelpOptions = true,
    description = {
      "What shifting a fraction of a channel's requests to a direct channel would change"
          + " (docs/domain.md#what-if):",
      "per window and for the period, the request-weighted control score, net revenue and partner"
          + " fees per currency,",
      "identity-visible requests and lost signals. The shifted requests get the target's ratios of"
          + " the same window."
    })
final class WhatIfCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin Settings settings;

  @Option(names = "--channel", required = true, description = "The channel whose requests move.")
  String channel;

  @Option(names = "--to", required = true, description = "The direct channel they move to.")
  String to;

  @Option(
      names = "--shift",
      required = true,
      description = "The fraction that moves, between 0 and 1 (0.2 = 20 %).")
  BigDecimal shift;

  @Option(names = "--from", required = true, description = "Start of the period, ISO-8601 UTC.")
  Instant from;

  @Option(
      names = "--until",
      required = true,
      description = "End of the period, exclusive, ISO-8601 UTC.")
  Instant until;

  @Option(
      names = "--window",
      defaultValue = "HOUR",
      description = "MINUTE, HOUR or DAY (default: ${DEFAULT-VALUE}).")
  WindowSize window;

  @Option(
      names = "--format",
      defaultValue = "TABLE",
      description = "TABLE, CSV or JSON (default: ${DEFAULT-VALUE}).")
  QueryCommand.Format format;

  @Override
  public Integer call() throws Exception {
    QueryConfig config = new QueryConfig(settings.overrides);
    List<Map<String, Object>> rows;
    try {
      WhatIf.Shift what = new WhatIf.Shift(channel, to, shift);
      TimeRange range = new TimeRange(window, from, until, List.of(channel));
      rows =
          new AudienceQueries(
                  new MetricsReader(new ClickHouse(config), config.database()),
                  new Reconciliation(new ClickHouse(config), config.database()),
                  Clock.systemUTC())
              .run(
                  AudienceQueries.View.WHAT_IF,
                  range,
                  Finance.Period.DAY,
                  new AudienceQueries.Options(what, null));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
    }
    QueryCommand.print(rows, format);
    return 0;
  }
}
