package dev.routemetrics.cli;

import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.tools.verify.Verification;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Check ClickHouse against a simulation's expected-metrics.json.",
      "The file is computed independently of the pipeline; every channel-window row is compared"
          + " field by field (counts, ratios, revenue per currency).",
      "Then every window's cross-channel figures (requests, direct trainable rate, partner"
          + " concentration, volume without control), and every partner statement's"
          + " reconciliation.",
      "Every count must be equal, except distinct counts (active_accounts, visible_end_users) of"
          + " 10,000 and more, which docs/domain.md lets a sketch estimate within 2 %.",
      "Ratios must agree to 1e-9 (both sides divide the same exact counts); money must be equal to"
          + " the last decimal.",
      "It waits until they agree or --timeout passes; exit code 0 when everything is equal."
    })
final class VerifyCommand implements Callable<Integer> {

  @Mixin Settings settings;

  @Parameters(
      index = "0",
      description = "The expected-metrics.json a `routemetrics simulate` run wrote.")
  Path expectedFile;

  @Option(
      names = "--window",
      defaultValue = "HOUR",
      description = "Window size to compare: MINUTE, HOUR or DAY (default: ${DEFAULT-VALUE}).")
  WindowSize window;

  @Option(
      names = "--timeout",
      defaultValue = "120",
      description = "Seconds to wait for the numbers to land (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    return new Verification(window)
        .run(
            expectedFile,
            new WarehouseConfig(settings.overrides),
            timeoutSeconds,
            System.out,
            System.err);
  }
}
