package dev.routemetrics.ingest;

import dev.routemetrics.schemas.config.ConfigSources;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Every setting of the ingest service, with the defaults that run the demo. */
public final class IngestConfig extends AbstractConfig {

  public static final String HOST = "routemetrics.ingest.host";
  public static final String PORT = "routemetrics.ingest.port";
  public static final String KAFKA_BOOTSTRAP = "routemetrics.kafka.bootstrap";
  public static final String TOPIC_NAMESPACE = "routemetrics.topic.namespace";
  public static final String PARTITIONS = "routemetrics.topic.partitions";
  public static final String ACK_TIMEOUT_MS = "routemetrics.ingest.ack.timeout.ms";
  public static final String MAX_FUTURE_SKEW_MS = "routemetrics.ingest.max.future.skew.ms";
  public static final String REGISTRY = "routemetrics.registry";

  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(HOST, Type.STRING, "127.0.0.1", Importance.MEDIUM, "Address the HTTP server binds to.")
      .define(PORT, Type.INT, 8080, Range.between(0, 65535), Importance.HIGH, "HTTP port; 0 picks a free one.")
      .define(KAFKA_BOOTSTRAP, Type.STRING, "127.0.0.1:9092", Importance.HIGH, "Kafka bootstrap servers.")
      .define(TOPIC_NAMESPACE, Type.STRING, "", Importance.LOW, "Prefix of every topic name (tests, side-by-side rebuilds).")
      .define(PARTITIONS, Type.INT, 3, Range.atLeast(1), Importance.LOW, "Partitions of topics this service creates.")
      .define(ACK_TIMEOUT_MS, Type.INT, 10_000, Range.atLeast(1_000), Importance.MEDIUM,
          "How long a request waits for Kafka to acknowledge before the client gets 503.")
      .define(MAX_FUTURE_SKEW_MS, Type.LONG, 300_000L, Range.atLeast(0), Importance.LOW,
          "How far in the future an event_time may be (clock skew) before it is rejected.")
      .define(REGISTRY, Type.STRING, "", Importance.MEDIUM,
          "Path of the channel registry JSON file; empty uses the built-in registry.");

  public IngestConfig(Map<String, ?> overrides) {
    super(DEFINITION, ConfigSources.resolve(DEFINITION, overrides), true);
  }
}
