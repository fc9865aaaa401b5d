package dev.routemetrics.sink.clickhouse;

import dev.routemetrics.schemas.config.ConfigSources;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Every setting of the ClickHouse side (migrations, sink, queries), with the defaults that run the
 * demo.
 */
public final class WarehouseConfig extends AbstractConfig {

  public static final String CLICKHOUSE_URL = "routemetrics.clickhouse.url";
  public static final String CLICKHOUSE_USER = "routemetrics.clickhouse.user";
  public static final String CLICKHOUSE_PASSWORD = "routemetrics.clickhouse.password";
  public static final String DATABASE = "routemetrics.clickhouse.database";
  public static final String CLICKHOUSE_CLUSTER = "routemetrics.clickhouse.cluster";
  public static final String KAFKA_BOOTSTRAP = "routemetrics.kafka.bootstrap";
  public static final String TOPIC_NAMESPACE = "routemetrics.topic.namespace";
  public static final String PARTITIONS = "routemetrics.topic.partitions";
  public static final String SINK_GROUP = "routemetrics.sink.group.id";
  public static final String GENERATION = "routemetrics.generation";
  public static final String SINK_BATCH_ROWS = "routemetrics.sink.batch.rows";
  public static final String SINK_FLUSH_INTERVAL_MS = "routemetrics.sink.flush.interval.ms";
  public static final String SINK_MAX_BACKOFF_MS = "routemetrics.sink.max.backoff.ms";
  public static final String SINK_STALL_AFTER_MS = "routemetrics.sink.stall.after.ms";
  public static final String ALERTS_ENABLED = "routemetrics.alerts.enabled";
  public static final String ALERTS_RULES_FILE = "routemetrics.alerts.rules.file";
  public static final String QUERY_API_KEYS_FILE = "routemetrics.query.api.keys.file";
  public static final String REGISTRY = "routemetrics.registry";

  public static final ConfigDef DEFINITION =
      new ConfigDef()
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
              new ConfigDef.Validator() {
                @Override
                public void ensureValid(String name, Object value) {
                  if (value == null || !value.toString().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new org.apache.kafka.common.config.ConfigException(
                        name, value, "must be a plain identifier");
                  }
                }
              },
              Importance.HIGH,
              "Database holding routemetrics' tables; created by the migrations.")
          .define(
              CLICKHOUSE_CLUSTER,
              Type.STRING,
              "",
              ConfigDef.LambdaValidator.with(
                  (name, value) -> {
                    if (value == null || !value.toString().matches("([A-Za-z_][A-Za-z0-9_]*)?")) {
                      throw new org.apache.kafka.common.config.ConfigException(
                          name, value, "must be empty or a plain identifier");
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
                  + " users' profile (docs/scaling.md).")
          .define(
              KAFKA_BOOTSTRAP,
              Type.STRING,
              "127.0.0.1:9092",
              Importance.HIGH,
              "Kafka bootstrap servers.")
          .define(TOPIC_NAMESPACE, Type.STRING, "", Importance.LOW, "Prefix of every topic name.")
          .define(
              PARTITIONS,
              Type.INT,
              TopicProvisioner.DEFAULT_PARTITIONS,
              Range.atLeast(1),
              Importance.LOW,
              "Partitions of topics this service creates when missing (see"
                  + " TopicProvisioner.DEFAULT_PARTITIONS).")
          .define(
              SINK_GROUP,
              Type.STRING,
              "routemetrics-sink",
              Importance.MEDIUM,
              "Consumer group prefix of the sink; each topic has its own group, <prefix>.<topic>.")
          .define(
              SINK_BATCH_ROWS,
              Type.INT,
              100_000,
              Range.between(1, 1_000_000),
              Importance.MEDIUM,
              "Flush when this many rows are buffered. At most 1,000,000, below ClickHouse's"
                  + " max_insert_block_size, so that an insert is one block: one ClickHouse refuses"
                  + " wrote nothing, and its rows can be tried again in halves.")
          .define(
              SINK_FLUSH_INTERVAL_MS,
              Type.INT,
              500,
              Range.atLeast(10),
              Importance.MEDIUM,
              "Flush buffered rows at least this often.")
          .define(
              SINK_MAX_BACKOFF_MS,
              Type.INT,
              30_000,
              Range.atLeast(100),
              Importance.LOW,
              "Longest wait between retries while ClickHouse is unreachable.")
          .define(
              SINK_STALL_AFTER_MS,
              Type.INT,
              60_000,
              Range.atLeast(1_000),
              Importance.LOW,
              "The sink's /health says STALLED for a topic whose lag stayed above 0 without a"
                  + " commit for this long.")
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
              GENERATION,
              Type.STRING,
              "",
              ConfigSources.GENERATION_NAME,
              Importance.MEDIUM,
              "Metrics generation the sink reads (derived topics gen-<generation>.*, consumer"
                  + " groups <group>-<generation>.*); empty for the first. `routemetrics rebuild`"
                  + " makes a new one.")
          .define(
              QUERY_API_KEYS_FILE,
              Type.STRING,
              ".state/api-keys.json",
              Importance.HIGH,
              "JSON file of API key hashes and scopes the query service accepts (the ingest's"
                  + " format, see `routemetrics keys`); re-read when it changes. The default is the"
                  + " ingest's default file: one key per partner for both.")
          .define(
              REGISTRY,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Path of the channel registry JSON file (which channels are whose); empty uses the"
                  + " built-in registry.");

  public WarehouseConfig(Map<String, ?> overrides) {
    super(DEFINITION, ConfigSources.resolve(DEFINITION, overrides), true);
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
   * ROUTEMETRICS_CLICKHOUSE_CLUSTER), for code that has no WarehouseConfig at hand.
   */
  public static String clusterFromEnvironment() {
    Object value = ConfigSources.resolve(DEFINITION, Map.of()).getOrDefault(CLICKHOUSE_CLUSTER, "");
    DEFINITION
        .configKeys()
        .get(CLICKHOUSE_CLUSTER)
        .validator
        .ensureValid(CLICKHOUSE_CLUSTER, value);
    return value.toString().strip();
  }

  /** The event topics and the derived topics of this generation. */
  public Topics topics() {
    return Topics.of(getString(TOPIC_NAMESPACE), getString(GENERATION));
  }

  /**
   * Prefix of the sink's consumer groups: a generation's sink has offsets of its own, raw event
   * topics included.
   */
  public String sinkGroup() {
    String generation = getString(GENERATION);
    return generation.isEmpty() ? getString(SINK_GROUP) : getString(SINK_GROUP) + "-" + generation;
  }
}
