package dev.routemetrics.cli;

import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.sink.migrations.Migrations;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description =
        "Apply the ClickHouse migrations not applied yet (the sink also does this at start).")
final class MigrateCommand implements Callable<Integer> {

  @Mixin Settings settings;

  @Override
  public Integer call() throws Exception {
    WarehouseConfig config = new WarehouseConfig(settings.overrides);
    List<String> applied =
        new Migrations(new ClickHouse(config), config.database(), config.cluster()).apply();
    System.out.println(
        applied.isEmpty()
            ? "database " + config.database() + " is up to date"
            : "applied " + String.join(", ", applied) + " to database " + config.database());
    return 0;
  }
}
