package dev.routemetrics.cli;

import dev.routemetrics.warehouse.WarehouseConfig;
import dev.routemetrics.warehouse.sink.Sink;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "sink", mixinStandardHelpOptions = true,
    description = "Apply the ClickHouse migrations, then move the metric topics into ClickHouse, exactly once in effect.")
final class SinkCommand implements Callable<Integer> {

  @Mixin Settings settings;

  @Override
  public Integer call() throws Exception {
    return UntilShutdown.run(new Sink(new WarehouseConfig(settings.overrides)).start());
  }
}
