package dev.routemetrics.cli;

import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.alerts.AlertEvaluator;
import dev.routemetrics.query.alerts.AlertRules;
import dev.routemetrics.query.http.QueryServer;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "query-server",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the dashboard at / and the audiences' views at"
          + " /api/{health,reach-control,learning,finance,reconciliation}, read from ClickHouse.",
      "Every /api/ call needs an API key (Authorization: Bearer <key>) from"
          + " routemetrics.query.api.keys.file, the ingest's format (`routemetrics keys`), re-read"
          + " when it changes: a lab key reads everything, a partner's key only its own channels'"
          + " health, learning, finance and reconciliation.",
      "Evaluates the alert rules (routemetrics.alerts.rules.file) periodically, lists them at"
          + " /api/alerts, and publishes their FIRING/RESOLVED transitions to Kafka and the"
          + " configured webhook."
    })
final class QueryServerCommand implements Callable<Integer> {

  @Mixin Settings settings;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8090",
      description = "Port to listen on (default: ${DEFAULT-VALUE}).")
  int port;

  @Override
  public Integer call() throws Exception {
    WarehouseConfig config = new WarehouseConfig(settings.overrides);
    AlertEvaluator alerts = null;
    if (config.getBoolean(WarehouseConfig.ALERTS_ENABLED)) {
      AlertRules rules = AlertRules.load(config.getString(WarehouseConfig.ALERTS_RULES_FILE));
      alerts =
          AlertEvaluator.forWarehouse(
                  config,
                  rules,
                  new MetricsReader(new ClickHouse(config), config.database()),
                  Clock.systemUTC())
              .start(rules.every());
    }
    QueryServer server = new QueryServer(config, host, port, Clock.systemUTC(), alerts).start();
    return UntilShutdown.run(server, alerts);
  }
}
