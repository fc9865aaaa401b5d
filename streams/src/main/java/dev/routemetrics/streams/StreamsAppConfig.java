package dev.routemetrics.streams;

import dev.routemetrics.schemas.config.ConfigSources;
import dev.routemetrics.schemas.config.KafkaSettings;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.streams.StreamsConfig;

/** Every setting of the metrics topology application, with the defaults that run the demo. */
public final class StreamsAppConfig extends AbstractConfig {

  public static final String KAFKA_BOOTSTRAP = KafkaSettings.BOOTSTRAP;
  public static final String APPLICATION_ID = "routemetrics.streams.application.id";
  public static final String STATE_DIR = "routemetrics.streams.state.dir";
  public static final String TOPIC_NAMESPACE = KafkaSettings.TOPIC_NAMESPACE;
  public static final String PARTITIONS = KafkaSettings.PARTITIONS;
  public static final String LATENESS_DAYS = "routemetrics.streams.lateness.days";
  public static final String THREADS = "routemetrics.streams.threads";

  /**
   * One stream thread per processor: a thread is CPU-bound while it has input, and a container's
   * CPU limit is what availableProcessors reports (docs/benchmarks.md: on two cores shared with the
   * broker, 2 threads 16,710 and 18,303 records/s against 1 thread 14,897 and 17,495, one quiet
   * run). More threads than an event topic's partitions would idle.
   */
  static final int DEFAULT_THREADS =
      Math.min(Runtime.getRuntime().availableProcessors(), TopicProvisioner.DEFAULT_PARTITIONS);

  public static final String COMMIT_INTERVAL_MS = "routemetrics.streams.commit.interval.ms";
  public static final String EMIT_INTERVAL_MS = "routemetrics.streams.emit.interval.ms";
  public static final String REGISTRY = "routemetrics.registry";
  public static final String GENERATION = "routemetrics.generation";
  public static final String INSTANCE_ID = "routemetrics.streams.instance.id";
  public static final String PORT = "routemetrics.streams.port";
  public static final String SESSION_TIMEOUT_MS = "routemetrics.streams.session.timeout.ms";
  public static final String TRANSACTION_TIMEOUT_MS = "routemetrics.streams.transaction.timeout.ms";
  public static final String TRANSACTIONAL_STATE_STORES =
      "routemetrics.streams.transactional.state.stores";
  public static final String MEMTABLE_BYTES = "routemetrics.streams.rocksdb.memtable.bytes";
  public static final String REPLICATION_FACTOR = "routemetrics.kafka.replication.factor";
  public static final String DEFAULT_APPLICATION_ID = "routemetrics-metrics";

  public static final ConfigDef DEFINITION =
      KafkaSettings.define(new ConfigDef())
          .define(
              APPLICATION_ID,
              Type.STRING,
              "",
              Importance.HIGH,
              "Kafka Streams application id: its consumer group, state and internal topics. Empty"
                  + " (the default) for "
                  + DEFAULT_APPLICATION_ID
                  + " prefixed with the topic namespace, so one namespace setting isolates an"
                  + " instance's topics, group and state. A new id rebuilds from offset 0.")
          .define(
              STATE_DIR,
              Type.STRING,
              System.getProperty("java.io.tmpdir") + "/routemetrics-streams",
              Importance.MEDIUM,
              "Directory of the local state stores (restored from changelogs when lost).")
          .define(
              REPLICATION_FACTOR,
              Type.INT,
              (int) TopicProvisioner.DEFAULT_REPLICATION_FACTOR,
              Range.atLeast(1),
              Importance.MEDIUM,
              "Copies of every partition of the topics this app creates: its internal (changelog"
                  + " and repartition) topics and, when missing, the pipeline's topics. 1 for one"
                  + " broker; 3 on a cluster (deploy/cluster.sh), where min.insync.replicas is one"
                  + " below it.")
          .define(
              LATENESS_DAYS,
              Type.INT,
              7,
              Range.atLeast(0),
              Importance.MEDIUM,
              "Events older than this behind the newest event_time of their family (per partition)"
                  + " are set aside as TOO_LATE instead of updating their window.")
          .define(
              THREADS,
              Type.INT,
              DEFAULT_THREADS,
              Range.atLeast(1),
              Importance.MEDIUM,
              "Stream threads; tasks (one per input partition and sub-topology) spread over them,"
                  + " and over every instance of the same application id. Default: one per"
                  + " processor this JVM may use ("
                  + DEFAULT_THREADS
                  + " here), at most the partitions of an event topic.")
          .define(
              COMMIT_INTERVAL_MS,
              Type.INT,
              1000,
              Range.atLeast(10),
              Importance.LOW,
              "The longest time between two commits. Each emit that ships partial tallies or rows"
                  + " asks for a commit at once, so results become visible downstream"
                  + " (exactly-once) every emit interval; a commit in between would only write"
                  + " half-folded partials to their changelogs.")
          .define(
              EMIT_INTERVAL_MS,
              Type.INT,
              200,
              Range.atLeast(10),
              Importance.LOW,
              "How often changed channel-metrics and channel-revenue rows are emitted (wall clock);"
                  + " a burst of updates to one window in between costs one row. It adds up to this"
                  + " much to freshness; at most a row per channel, window size and currency"
                  + " touched goes out each time.")
          .define(
              INSTANCE_ID,
              Type.STRING,
              defaultInstanceId(),
              Importance.LOW,
              "Static group membership id of this instance (distinct per running instance of one"
                  + " application id): a restart within the session timeout takes its tasks back at"
                  + " once instead of waiting it out.")
          .define(
              PORT,
              Type.INT,
              8092,
              Range.between(0, 65535),
              Importance.MEDIUM,
              "HTTP port of the app's /health (state, lag per input and internal topic, dropped"
                  + " records by reason) and /metrics (Prometheus); 0 picks a free one. It listens"
                  + " on loopback.")
          .define(
              SESSION_TIMEOUT_MS,
              Type.INT,
              10_000,
              Range.between(6_000, 300_000),
              Importance.LOW,
              "How long the group waits for an instance that stopped answering before its tasks go"
                  + " to the others. With static membership a restarted instance takes its tasks"
                  + " back at once; one that died is waited for this long (Kafka's default, 45 s,"
                  + " was most of the 34-52 s each SIGKILL cost in the fault run).")
          .define(
              TRANSACTION_TIMEOUT_MS,
              Type.INT,
              10_000,
              Range.between(1_000, 900_000),
              Importance.LOW,
              "How long a stream thread's transaction may stay open before the brokers abort it"
                  + " (Kafka Streams' default under exactly-once, 10 s). On a starved machine a"
                  + " commit can take longer; the coordinator then aborts it and the thread dies"
                  + " fenced (InvalidTxnStateException) and is replaced. Longer: fewer such aborts,"
                  + " but a crashed instance's open transaction holds read_committed readers back"
                  + " this long unless it restarts first. At most the brokers'"
                  + " transaction.max.timeout.ms (15 min by default).")
          .define(
              TRANSACTIONAL_STATE_STORES,
              Type.BOOLEAN,
              true,
              Importance.LOW,
              "Kafka Streams' transactional state stores (KIP-892): each store writes its changes"
                  + " and the changelog offset they reach in one RocksDB batch at each commit, so"
                  + " after a crash (SIGKILL, power loss) a task keeps its local state and restores"
                  + " only the changelog past that offset. Off, exactly-once cannot trust local"
                  + " state after an unclean stop and restores every store from the start of its"
                  + " changelog. Either way no result changes, only how long a restart takes.")
          .define(
              MEMTABLE_BYTES,
              Type.LONG,
              16L << 20,
              Range.between(64L << 10, 1L << 30),
              Importance.LOW,
              "RocksDB memtable size of each persistent store (16 MiB, Kafka's own default). Kafka"
                  + " Streams writes RocksDB without a write-ahead log, so after a crash a store"
                  + " keeps what its last memtable flush wrote, with the changelog offset it had"
                  + " reached; with transactional state stores it restores only past that offset."
                  + " Smaller: less to restore after a crash, more flushes while running (1 MiB"
                  + " cost 10 % of bench-streams' rate; docs/reliability.md).")
          .define(
              REGISTRY,
              Type.STRING,
              "",
              Importance.MEDIUM,
              "Channel registry file (with its history); empty for the registry built into the"
                  + " schemas jar.")
          .define(
              GENERATION,
              Type.STRING,
              "",
              ConfigSources.GENERATION_NAME,
              Importance.MEDIUM,
              "Metrics generation: a rebuild derives every metric again under a new one"
                  + " (application id <id>-<generation>, derived topics gen-<generation>.*). Empty"
                  + " for the first.");

  public StreamsAppConfig(Map<String, ?> overrides) {
    super(DEFINITION, ConfigSources.resolve(DEFINITION, overrides), true);
  }

  private static String defaultInstanceId() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }

  /** The application id of this generation: its consumer group, internal topics and state. */
  public String applicationId() {
    String base =
        getString(APPLICATION_ID).isEmpty()
            ? getString(TOPIC_NAMESPACE).replaceAll("[^A-Za-z0-9._-]", "-") + DEFAULT_APPLICATION_ID
            : getString(APPLICATION_ID);
    String generation = getString(GENERATION);
    return generation.isEmpty() ? base : base + "-" + generation;
  }

  /** The event topics read and the topics of this generation written. */
  public Topics topics() {
    return Topics.of(getString(TOPIC_NAMESPACE), getString(GENERATION));
  }

  /** The Kafka Streams properties these settings imply. */
  public Properties streamsProperties() {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, getString(KAFKA_BOOTSTRAP));
    props.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, getInt(COMMIT_INTERVAL_MS));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, getInt(THREADS));
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, getInt(REPLICATION_FACTOR));
    if (getInt(REPLICATION_FACTOR) > 1) {
      // Changelogs and repartition topics: an acks=all write is on two brokers before it counts.
      props.put(
          StreamsConfig.topicPrefix(
              org.apache.kafka.common.config.TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG),
          Integer.toString(getInt(REPLICATION_FACTOR) - 1));
    }
    // Every task here merges inputs whose order does not change a result: the detour by event_id
    // (empty unless another producer keys by something else) and the partials of reach and
    // learning, whose merges commute. Waiting for an empty partition buys nothing, and Kafka
    // Streams
    // 4.4 formats a log line for every empty partition of a task before every record while it may
    // wait (PartitionGroup.readyToProcess): a fifth of the stream thread's time in a profile of
    // bench-streams.
    props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
    // LiveObjectStore passes commit(Map) down to the store below, which writes its batch and the
    // offsets there; before it did (ChannelMetricsIT once saw a window's version go backwards with
    // these on) the batch of a transactional store never reached RocksDB.
    props.put(
        StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, getBoolean(TRANSACTIONAL_STATE_STORES));
    // The early commit by uncommitted bytes is for those buffers, which our commits (one per emit,
    // at most a second apart) keep small; left on, 4.4 sums every store's uncommitted bytes on
    // every
    // loop of the stream thread (StreamThread.shouldCommitDueToUncommittedBytes): 5.6 % of the
    // thread in a bench-streams profile.
    props.put(StreamsConfig.STATESTORE_UNCOMMITTED_MAX_BYTES_CONFIG, -1L);
    props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, StoreMemtables.class);
    props.put(MEMTABLE_BYTES, Long.toString(getLong(MEMTABLE_BYTES)));
    // No poison pill: records that cannot be decoded or folded go to quarantined-events, counted.
    props.put(
        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, QuarantineOnError.class);
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, QuarantineOnError.class);
    props.put(QuarantineOnError.TOPIC, topics().quarantinedEvents);
    props.put(
        StreamsConfig.mainConsumerPrefix(
            org.apache.kafka.clients.consumer.ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
        getInt(SESSION_TIMEOUT_MS));
    props.put(
        StreamsConfig.producerPrefix(
            org.apache.kafka.clients.producer.ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
        getInt(TRANSACTION_TIMEOUT_MS));
    props.put(
        StreamsConfig.mainConsumerPrefix(
            org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
        applicationId() + "-" + getString(INSTANCE_ID));
    return props;
  }
}
