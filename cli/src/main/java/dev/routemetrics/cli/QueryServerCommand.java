package dev.routemetrics.cli;

import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.QueryConfig;
import dev.routemetrics.query.alerts.AlertEvaluator;
import dev.routemetrics.query.alerts.AlertRules;
import dev.routemetrics.query.http.QueryServer;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
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

  // No picocli defaults: without the flag the setting decides, whose default QueryConfig declares.
  @Option(
      names = "--host",
      description =
          "Address to listen on (default: the setting "
              + QueryConfig.HOST
              + ", "
              + QueryConfig.DEFAULT_HOST
              + ").")
  String host;

  @Option(
      names = "--port",
      description =
          "Port to listen on; 0 picks a free one (default: the setting "
              + QueryConfig.PORT
              + ", "
              + QueryConfig.DEFAULT_PORT
              + ").")
  Integer port;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> overrides = new HashMap<>(settings.overrides);
    if (host != null) {
      overrides.put(QueryConfig.HOST, host);
    }
    if (port != null) {
      overrides.put(QueryConfig.PORT, port);
    }
    QueryConfig config = new QueryConfig(overrides);
    AlertEvaluator alerts = null;
    if (config.getBoolean(QueryConfig.ALERTS_ENABLED)) {
      AlertRules rules = AlertRules.load(config.getString(QueryConfig.ALERTS_RULES_FILE));
      alerts =
          AlertEvaluator.forWarehouse(
                  config,
                  rules,
                  new MetricsReader(new ClickHouse(config), config.database()),
                  Clock.systemUTC())
              .start(rules.every());
    }
    QueryServer server =
        new QueryServer(config, config.host(), config.port(), Clock.systemUTC(), alerts).start();
    return UntilShutdown.run(server, alerts);
  }
}
