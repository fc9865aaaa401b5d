package dev.routemetrics.query;

import dev.routemetrics.sink.clickhouse.ConnectionConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The query process's settings (the query service, {@code routemetrics query}, {@code review},
 * {@code status}, {@code what-if}), with the defaults that run the demo: the warehouse connection
 * it shares with the sink ({@link ConnectionConfig}) plus its address, its API keys, its alerts and
 * the channel registry its partners' keys are checked against.
 */
public final class QueryConfig extends ConnectionConfig {

  public static final String HOST = "routemetrics.query.host";
  public static final String PORT = "routemetrics.query.port";
  public static final String API_KEYS_FILE = "routemetrics.query.api.keys.file";
  public static final String ALERTS_ENABLED = "routemetrics.alerts.enabled";
  public static final String ALERTS_RULES_FILE = "routemetrics.alerts.rules.file";
  public static final String REGISTRY = "routemetrics.registry";

  /**
   * The defaults of {@link #HOST} and {@link #PORT} as constants, so that {@code query-server
   * --help} can name them (an annotation takes only constants).
   */
  public static final String DEFAULT_HOST = "127.0.0.1";

  public static final int DEFAULT_PORT = 8090;

  public static final ConfigDef DEFINITION =
      definition()
          .define(
              HOST,
              Type.STRING,
              DEFAULT_HOST,
              Importance.MEDIUM,
              "Address the query service listens on (query-server --host overrides it).")
          .define(
              PORT,
              Type.INT,
              DEFAULT_PORT,
              Range.between(0, 65_535),
              Importance.MEDIUM,
              "Port the query service listens on; 0 picks a free one (query-server --port"
                  + " overrides it).")
          .define(
              API_KEYS_FILE,
              Type.STRING,
              ".state/api-keys.json",
              Importance.HIGH,
              "JSON file of API key hashes and scopes the query service accepts (the ingest's"
                  + " format, see `routemetrics keys`); re-read when it changes. The default is the"
                  + " ingest's default file: one key per partner for both.")
          .define(
              ALERTS_ENABLED,
              Type.BOOLEAN,
              true,
              Importance.MEDIUM,
              "Whether the query service evaluates the alert rules and publishes their"
                  + " transitions.")
          .define(
              ALERTS_RULES_FILE,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "JSON file of alert rules, topic and webhook; empty uses the defaults shipped as"
                  + " /alerts/alerts.json.")
          .define(
              REGISTRY,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Path of the channel registry JSON file (which channels are whose); empty uses the"
                  + " built-in registry.");

  public QueryConfig(Map<String, ?> overrides) {
    super(DEFINITION, overrides);
  }

  public String host() {
    return getString(HOST);
  }

  public int port() {
    return getInt(PORT);
  }
}
