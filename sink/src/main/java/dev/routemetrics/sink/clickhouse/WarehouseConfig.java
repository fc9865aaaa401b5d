package dev.routemetrics.sink.clickhouse;

import dev.routemetrics.schemas.config.ConfigSources;
import dev.routemetrics.schemas.topics.Topics;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The sink's settings (and {@code routemetrics migrate}'s), with the defaults that run the demo:
 * the shared connection ({@link ConnectionConfig}) plus the sink's consumer groups, batching,
 * retries and the metrics generation it reads. The query service's own settings are in the query
 * module's {@code QueryConfig}.
 */
public final class WarehouseConfig extends ConnectionConfig {

  public static final String SINK_GROUP = "routemetrics.sink.group.id";
  public static final String GENERATION = "routemetrics.generation";
  public static final String SINK_BATCH_ROWS = "routemetrics.sink.batch.rows";
  public static final String SINK_FLUSH_INTERVAL_MS = "routemetrics.sink.flush.interval.ms";
  public static final String SINK_MAX_BACKOFF_MS = "routemetrics.sink.max.backoff.ms";
  public static final String SINK_STALL_AFTER_MS = "routemetrics.sink.stall.after.ms";

  public static final ConfigDef DEFINITION =
      definition()
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
              GENERATION,
              Type.STRING,
              "",
              ConfigSources.GENERATION_NAME,
              Importance.MEDIUM,
              "Metrics generation the sink reads (derived topics gen-<generation>.*, consumer"
                  + " groups <group>-<generation>.*); empty for the first. `routemetrics rebuild`"
                  + " makes a new one.");

  public WarehouseConfig(Map<String, ?> overrides) {
    super(DEFINITION, overrides);
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
