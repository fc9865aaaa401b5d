package dev.routemetrics.ingest;

import dev.routemetrics.schemas.config.ConfigSources;
import dev.routemetrics.schemas.topics.TopicProvisioner;
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
  public static final String API_KEYS_FILE = "routemetrics.ingest.api.keys.file";
  public static final String MAX_BATCH_EVENTS = "routemetrics.ingest.max.batch.events";
  public static final String MAX_REQUEST_BYTES = "routemetrics.ingest.max.request.bytes";
  public static final String MAX_IN_FLIGHT_EVENTS = "routemetrics.ingest.max.in.flight.events";

  public static final ConfigDef DEFINITION = new ConfigDef()
      .define(HOST, Type.STRING, "127.0.0.1", Importance.MEDIUM, "Address the HTTP server binds to.")
      .define(PORT, Type.INT, 8080, Range.between(0, 65535), Importance.HIGH, "HTTP port; 0 picks a free one.")
      .define(KAFKA_BOOTSTRAP, Type.STRING, "127.0.0.1:9092", Importance.HIGH, "Kafka bootstrap servers.")
      .define(TOPIC_NAMESPACE, Type.STRING, "", Importance.LOW, "Prefix of every topic name (tests, side-by-side rebuilds).")
      .define(PARTITIONS, Type.INT, TopicProvisioner.DEFAULT_PARTITIONS, Range.atLeast(1), Importance.LOW,
          "Partitions of topics this service creates when missing (see TopicProvisioner.DEFAULT_PARTITIONS).")
      .define(ACK_TIMEOUT_MS, Type.INT, 10_000, Range.atLeast(1_000), Importance.MEDIUM,
          "How long a request waits for Kafka to acknowledge before the client gets 503.")
      .define(MAX_FUTURE_SKEW_MS, Type.LONG, 300_000L, Range.atLeast(0), Importance.LOW,
          "How far in the future an event_time may be (clock skew) before it is rejected.")
      .define(REGISTRY, Type.STRING, "", Importance.MEDIUM,
          "Path of the channel registry JSON file; empty uses the built-in registry.")
      .define(API_KEYS_FILE, Type.STRING, ".state/api-keys.json", Importance.HIGH,
          "JSON file of API key hashes and scopes (see `routemetrics keys`); re-read when it changes.")
      .define(MAX_BATCH_EVENTS, Type.INT, 1_000, Range.atLeast(1), Importance.MEDIUM,
          "Most events one request may carry; more gets 413.")
      .define(MAX_REQUEST_BYTES, Type.INT, 4 * 1024 * 1024, Range.atLeast(1024), Importance.MEDIUM,
          "Largest request body in bytes; larger gets 413.")
      .define(MAX_IN_FLIGHT_EVENTS, Type.INT, 50_000, Range.atLeast(1), Importance.MEDIUM,
          "Events waiting for Kafka's acknowledgement at once; beyond it clients get 429 instead of an unbounded queue.");

  public IngestConfig(Map<String, ?> overrides) {
    super(DEFINITION, ConfigSources.resolve(DEFINITION, overrides), true);
  }
}
