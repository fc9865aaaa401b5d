package dev.routemetrics.ingest;

import dev.routemetrics.schemas.EventBounds;
import dev.routemetrics.schemas.config.ConfigSources;
import dev.routemetrics.schemas.config.KafkaSettings;
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
  public static final String KAFKA_BOOTSTRAP = KafkaSettings.BOOTSTRAP;
  public static final String TOPIC_NAMESPACE = KafkaSettings.TOPIC_NAMESPACE;
  public static final String PARTITIONS = KafkaSettings.PARTITIONS;
  public static final String ACK_TIMEOUT_MS = "routemetrics.ingest.ack.timeout.ms";
  public static final String MAX_FUTURE_SKEW_MS = "routemetrics.ingest.max.future.skew.ms";
  public static final String REGISTRY = "routemetrics.registry";
  public static final String API_KEYS_FILE = "routemetrics.ingest.api.keys.file";
  public static final String MAX_BATCH_EVENTS = "routemetrics.ingest.max.batch.events";
  public static final String MAX_REQUEST_BYTES = "routemetrics.ingest.max.request.bytes";
  public static final String MAX_IN_FLIGHT_EVENTS = "routemetrics.ingest.max.in.flight.events";
  public static final String KEY_MAX_CONCURRENT_REQUESTS =
      "routemetrics.ingest.key.max.concurrent.requests";
  public static final String KEY_MAX_REQUESTS_PER_SECOND =
      "routemetrics.ingest.key.max.requests.per.second";
  public static final String KEY_REQUEST_BURST = "routemetrics.ingest.key.request.burst";
  public static final String IDLE_TIMEOUT_MS = "routemetrics.ingest.idle.timeout.ms";
  public static final String MIN_BODY_BYTES_PER_SECOND =
      "routemetrics.ingest.min.body.bytes.per.second";
  public static final String MAX_THREADS = "routemetrics.ingest.max.threads";

  public static final ConfigDef DEFINITION =
      KafkaSettings.define(new ConfigDef())
          .define(
              HOST,
              Type.STRING,
              "127.0.0.1",
              Importance.MEDIUM,
              "Address the HTTP server binds to.")
          .define(
              PORT,
              Type.INT,
              8080,
              Range.between(0, 65535),
              Importance.HIGH,
              "HTTP port; 0 picks a free one.")
          .define(
              ACK_TIMEOUT_MS,
              Type.INT,
              10_000,
              Range.atLeast(1_000),
              Importance.MEDIUM,
              "How long a request waits for Kafka to acknowledge before the client gets 503.")
          .define(
              MAX_FUTURE_SKEW_MS,
              Type.LONG,
              300_000L,
              Range.between(0, EventBounds.MAX_FUTURE_SKEW.toMillis()),
              Importance.LOW,
              "How far in the future an event_time may be (clock skew) before it is rejected; at"
                  + " most EventBounds.MAX_FUTURE_SKEW (1 day).")
          .define(
              REGISTRY,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Path of the channel registry JSON file; empty uses the built-in registry.")
          .define(
              API_KEYS_FILE,
              Type.STRING,
              ".state/api-keys.json",
              Importance.HIGH,
              "JSON file of API key hashes and scopes (see `routemetrics keys`); re-read when it"
                  + " changes.")
          .define(
              MAX_BATCH_EVENTS,
              Type.INT,
              1_000,
              Range.atLeast(1),
              Importance.MEDIUM,
              "Most events one request may carry; more gets 413.")
          .define(
              MAX_REQUEST_BYTES,
              Type.INT,
              4 * 1024 * 1024,
              Range.atLeast(1024),
              Importance.MEDIUM,
              "Largest request body in bytes; larger gets 413.")
          .define(
              MAX_IN_FLIGHT_EVENTS,
              Type.INT,
              50_000,
              Range.atLeast(1),
              Importance.MEDIUM,
              "Events waiting for Kafka's acknowledgement at once; beyond it clients get 429"
                  + " instead of an unbounded queue.")
          .define(
              KEY_MAX_CONCURRENT_REQUESTS,
              Type.INT,
              32,
              Range.atLeast(1),
              Importance.MEDIUM,
              "Requests one API key may have in progress at once (each holds a server thread while"
                  + " its body arrives); beyond it that key gets 429 with Retry-After, so one key"
                  + " cannot take every thread. The benchmarks use 16.")
          .define(
              KEY_MAX_REQUESTS_PER_SECOND,
              Type.INT,
              2_000,
              Range.atLeast(1),
              Importance.MEDIUM,
              "Sustained requests a second one API key may send (a token bucket refilled at this"
                  + " rate); beyond it 429 with Retry-After. Events a second are this times the"
                  + " batch size; the benchmarks send at most ~600 requests a second.")
          .define(
              KEY_REQUEST_BURST,
              Type.INT,
              4_000,
              Range.atLeast(1),
              Importance.LOW,
              "Requests one API key may send at once above its rate (the token bucket's size).")
          .define(
              IDLE_TIMEOUT_MS,
              Type.INT,
              30_000,
              Range.atLeast(100),
              Importance.LOW,
              "A connection that sends nothing for this long is closed, in the middle of a request"
                  + " body too (Jetty's idle timeout).")
          .define(
              MIN_BODY_BYTES_PER_SECOND,
              Type.INT,
              1_024,
              Range.atLeast(0),
              Importance.LOW,
              "Slowest a request body may arrive, averaged from its first byte (Jetty's minimum"
                  + " request data rate); slower gets 408, so a client trickling a byte every few"
                  + " seconds cannot hold a thread. 0 turns the check off.")
          .define(
              MAX_THREADS,
              Type.INT,
              250,
              Range.atLeast(8),
              Importance.LOW,
              "Most server threads (Jetty's pool, Javalin's default size); a request holds one"
                  + " while its body is read.");

  public IngestConfig(Map<String, ?> overrides) {
    super(DEFINITION, ConfigSources.resolve(DEFINITION, overrides), true);
  }
}
