package dev.routemetrics.sink.clickhouse;

import dev.routemetrics.schemas.config.ConfigSources;
import dev.routemetrics.schemas.config.KafkaSettings;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The settings every process that writes or reads the warehouse shares, declared once with their
 * defaults: where ClickHouse is and as whom, which database and cluster, and the Kafka cluster and
 * topic namespace both the sink and the query service (its alerts) use. The sink's {@link
 * WarehouseConfig} and the query service's {@code QueryConfig} are each this plus their own
 * settings; {@link ClickHouse} connects from either.
 */
public abstract class ConnectionConfig extends AbstractConfig {

  public static final String CLICKHOUSE_URL = "routemetrics.clickhouse.url";
  public static final String CLICKHOUSE_USER = "routemetrics.clickhouse.user";
  public static final String CLICKHOUSE_PASSWORD = "routemetrics.clickhouse.password";
  public static final String DATABASE = "routemetrics.clickhouse.database";
  public static final String CLICKHOUSE_CLUSTER = "routemetrics.clickhouse.cluster";
  public static final String KAFKA_BOOTSTRAP = KafkaSettings.BOOTSTRAP;
  public static final String TOPIC_NAMESPACE = KafkaSettings.TOPIC_NAMESPACE;
  public static final String PARTITIONS = KafkaSettings.PARTITIONS;

  private static final String IDENTIFIER = "[A-Za-z_][A-Za-z0-9_]*";

  /**
   * A new definition holding the shared settings, for a process's config to add its own to (a new
   * one each call: {@link ConfigDef#define} adds to the definition it is called on).
   */
  public static ConfigDef definition() {
    return KafkaSettings.define(new ConfigDef())
        .define(
            CLICKHOUSE_URL,
            Type.STRING,
            "jdbc:clickhouse://127.0.0.1:8123/default?compress=0",
            Importance.HIGH,
            "JDBC URL of any database on the ClickHouse server. Keep compress=0: Debian's 18.16"
                + " answers compressed requests with an empty body.")
        .define(CLICKHOUSE_USER, Type.STRING, "default", Importance.MEDIUM, "ClickHouse user.")
        .define(CLICKHOUSE_PASSWORD, Type.PASSWORD, "", Importance.MEDIUM, "ClickHouse password.")
        .define(
            DATABASE,
            Type.STRING,
            "routemetrics",
            ConfigDef.LambdaValidator.with(
                (name, value) -> {
                  if (value == null || !value.toString().matches(IDENTIFIER)) {
                    throw new ConfigException(name, value, "must be a plain identifier");
                  }
                },
                () -> "a plain identifier"),
            Importance.HIGH,
            "Database holding routemetrics' tables; created by the migrations.")
        .define(
            CLICKHOUSE_CLUSTER,
            Type.STRING,
            "",
            ConfigDef.LambdaValidator.with(
                (name, value) -> {
                  if (value == null || !value.toString().matches("(" + IDENTIFIER + ")?")) {
                    throw new ConfigException(name, value, "must be empty or a plain identifier");
                  }
                },
                () -> "empty or a plain identifier"),
            Importance.HIGH,
            "Empty for one ClickHouse server. Otherwise the name of a remote_servers cluster of"
                + " the server the URL names: the migrations then create every table ON CLUSTER"
                + " as <table>_local (ReplicatedReplacingMergeTree when its shards have replicas)"
                + " plus a Distributed table under today's name, sharded by channel so that every"
                + " version of a window lands on one shard and FINAL stays exact; the sink and"
                + " the queries use the same names. Needs ZooKeeper/Keeper (ON CLUSTER DDL) and,"
                + " on 18.16, insert_distributed_sync=1 and prefer_localhost_replica=0 in the"
                + " users' profile (docs/scaling.md).");
  }

  /**
   * {@code definition}, built on {@link #definition()}, resolved from the overrides, the JVM
   * properties, the environment and the defaults ({@link ConfigSources}).
   */
  protected ConnectionConfig(ConfigDef definition, Map<String, ?> overrides) {
    super(definition, ConfigSources.resolve(definition, overrides), true);
  }

  /**
   * The database: {@code routemetrics.clickhouse.database} when it is set (to anything, its default
   * included); otherwise it follows the topic namespace, {@code routemetrics_<namespace>} in
   * identifier characters, so a namespaced instance never shares the first one's tables.
   */
  public String database() {
    String namespace =
        getString(TOPIC_NAMESPACE).replaceAll("[^A-Za-z0-9_]+", "_").replaceAll("^_+|_+$", "");
    return originals().containsKey(DATABASE) || namespace.isEmpty()
        ? getString(DATABASE)
        : "routemetrics_" + namespace;
  }

  /** The ClickHouse cluster the tables are spread over; empty for a single server. */
  public String cluster() {
    return getString(CLICKHOUSE_CLUSTER);
  }

  /**
   * The cluster setting as the environment gives it (system property, then
   * ROUTEMETRICS_CLICKHOUSE_CLUSTER), for code that has no config at hand.
   */
  public static String clusterFromEnvironment() {
    ConfigDef definition = definition();
    Object value = ConfigSources.resolve(definition, Map.of()).getOrDefault(CLICKHOUSE_CLUSTER, "");
    definition
        .configKeys()
        .get(CLICKHOUSE_CLUSTER)
        .validator
        .ensureValid(CLICKHOUSE_CLUSTER, value);
    return value.toString().strip();
  }
}
