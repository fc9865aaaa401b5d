package dev.routemetrics.cli;

import dev.routemetrics.sink.Sink;
import dev.routemetrics.sink.SinkHttp;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "sink",
    mixinStandardHelpOptions = true,
    description = {
      "Apply the ClickHouse migrations, then move the metric topics into ClickHouse, exactly once"
          + " in effect.",
      "Serves its lag, inserts and commit age at /metrics (Prometheus) and /health (JSON)."
    })
final class SinkCommand implements Callable<Integer> {

  @Mixin Settings settings;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address of /metrics and /health (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8091",
      description = "Port of /metrics and /health; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Override
  public Integer call() throws Exception {
    Sink sink = new Sink(new WarehouseConfig(settings.overrides)).start();
    return UntilShutdown.run(new SinkHttp(sink.telemetry(), host, port).start(), sink);
  }
}
