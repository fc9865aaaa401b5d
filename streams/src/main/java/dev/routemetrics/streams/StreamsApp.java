package dev.routemetrics.streams;

import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.registry.ChannelRegistryPublisher;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import java.time.Duration;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the metrics topology: creates missing topics, starts, and closes cleanly on shutdown. */
public final class StreamsApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StreamsApp.class);

  /** A thread replaced within this long, or no commit while behind for this long, is not UP. */
  static final Duration STALL = Duration.ofSeconds(60);

  private final KafkaStreams streams;
  private final ChannelRegistry registry;
  private final String bootstrap;
  private final String registryTopic;
  private final String namespace;
  private final int port;
  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final DroppedRecords dropped = new DroppedRecords(meters);
  private final AtomicLong threadsReplaced = new AtomicLong();
  private volatile long lastReplacedAt = Long.MIN_VALUE;
  private long lastCommittedSum = -1;
  private long lastProgressAt = System.currentTimeMillis();
  private KafkaStreamsMetrics binder;
  private org.apache.kafka.clients.admin.Admin admin;
  private StreamsHttp http;

  public StreamsApp(StreamsAppConfig config) {
    Topics topics = config.topics();
    this.bootstrap = config.getString(StreamsAppConfig.KAFKA_BOOTSTRAP);
    this.registryTopic = topics.channelRegistryChanges;
    this.namespace = config.getString(StreamsAppConfig.TOPIC_NAMESPACE);
    this.port = config.getInt(StreamsAppConfig.PORT);
    new TopicProvisioner(bootstrap, config.getInt(StreamsAppConfig.PARTITIONS),
        config.getInt(StreamsAppConfig.REPLICATION_FACTOR)).ensure(topics);
    this.registry = ChannelRegistry.load(config.getString(StreamsAppConfig.REGISTRY));
    Topology topology = ChannelMetricsTopology.build(topics, new ChannelMetricsTopology.Settings(
        registry,
        Duration.ofDays(config.getInt(StreamsAppConfig.LATENESS_DAYS)),
        Duration.ofMillis(config.getInt(StreamsAppConfig.EMIT_INTERVAL_MS)),
        dropped));
    log.debug("topology:\n{}", topology.describe());
    java.util.Properties props = config.streamsProperties();
    props.put(QuarantineOnError.DROPPED, dropped);
    this.streams = new KafkaStreams(topology, props);
    // A stream thread that dies (say, a transaction timed out while the broker was restarting) is
    // replaced: under exactly-once the new one resumes from the committed state, so nothing is lost
    // or counted twice, and the app keeps going instead of idling in ERROR. /health says STALLED for
    // a while after each replacement, so a crash loop does not pass for UP.
    streams.setUncaughtExceptionHandler(e -> {
      log.error("stream thread failed; replacing it (it resumes from the committed state)", e);
      threadsReplaced.incrementAndGet();
      lastReplacedAt = System.currentTimeMillis();
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
  }

  /** What /health answers: the state, lag per input and internal topic partition, dropped records. */
  public synchronized Map<String, Object> health() {
    Map<String, Long> lag = new TreeMap<>();
    long committedSum = 0;
    // A task's endOffsets() are what its consumer last fetched: behind the log while a fetch is
    // due, and blind to records of a transaction still open (partials just shipped). The log's own
    // end (read_uncommitted: open transactions included) is asked of the broker instead; a
    // committed offset at the end of a transactional log has passed its commit marker too.
    Map<TopicPartition, Long> committedOffsets = new java.util.HashMap<>();
    Map<TopicPartition, Long> endOffsets = new java.util.HashMap<>();
    for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
      for (TaskMetadata task : thread.activeTasks()) {
        for (Map.Entry<TopicPartition, Long> end : task.endOffsets().entrySet()) {
          Long committed = task.committedOffsets().get(end.getKey());
          committedOffsets.put(end.getKey(), committed == null || committed < 0 ? 0 : committed);
          endOffsets.put(end.getKey(), end.getValue());
        }
      }
    }
    if (!endOffsets.isEmpty()) {
      try {
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new java.util.HashMap<>();
        endOffsets.keySet().forEach(tp -> latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
        admin().listOffsets(latest, new org.apache.kafka.clients.admin.ListOffsetsOptions(
            org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED)).all().get(5, java.util.concurrent.TimeUnit.SECONDS)
            .forEach((tp, info) -> endOffsets.merge(tp, info.offset(), Math::max));
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        log.debug("could not read the log end offsets; lag is measured against the fetched ones: {}", e.toString());
      }
    }
    for (Map.Entry<TopicPartition, Long> end : endOffsets.entrySet()) {
      long done = committedOffsets.get(end.getKey());
      committedSum += done;
      lag.merge(end.getKey().topic() + "-" + end.getKey().partition(), Math.max(0, end.getValue() - done), Long::sum);
    }
    // Committed input offsets do not mean counted: a task folds events into partial tallies and
    // ships them every emit interval, and the window totals they merge into are emitted every emit
    // interval too; both are committed (changelogged) before they are shipped. Records still held
    // there count as lag, so "caught up" means nothing waits inside the app either. The partial
    // stores are live-object stores, read here only by their entry count (no scan from this thread:
    // a scan writes through); the dirty marks are cached stores, which interactive queries scan.
    if (streams.state() == KafkaStreams.State.RUNNING) {
      for (String store : java.util.List.of(ChannelMetricsTopology.USAGE_PARTIALS_STORE,
          ChannelMetricsTopology.LEARNING_PARTIALS_STORE, ChannelMetricsTopology.REVENUE_PARTIALS_STORE,
          ChannelMetricsTopology.CHANNEL_WINDOWS_DIRTY_STORE, ChannelMetricsTopology.REVENUE_WINDOWS_DIRTY_STORE)) {
        long held;
        try {
          org.apache.kafka.streams.state.ReadOnlyKeyValueStore<Object, Object> held0 = streams.store(
              org.apache.kafka.streams.StoreQueryParameters.fromNameAndType(store,
                  org.apache.kafka.streams.state.QueryableStoreTypes.keyValueStore()));
          if (store.endsWith("-dirty")) {
            held = 0;
            try (org.apache.kafka.streams.state.KeyValueIterator<Object, Object> it = held0.all()) {
              for (; it.hasNext(); it.next()) {
                held++;
              }
            }
          } else {
            held = held0.approximateNumEntries();
          }
        } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
          held = 1; // migrating between threads or instances: not known to be empty
        }
        if (held > 0) {
          lag.put(store + " (not yet emitted)", held);
        }
      }
    }
    long now = System.currentTimeMillis();
    if (committedSum != lastCommittedSum) {
      lastCommittedSum = committedSum;
      lastProgressAt = now;
    }
    long behind = lag.values().stream().mapToLong(Long::longValue).sum();
    String status = switch (streams.state()) {
      case CREATED -> "STARTING";
      case REBALANCING -> "REBALANCING";
      case RUNNING -> (lastReplacedAt != Long.MIN_VALUE && now - lastReplacedAt < STALL.toMillis())
          || (behind > 0 && now - lastProgressAt > STALL.toMillis()) ? "STALLED" : "UP";
      default -> "DOWN";
    };
    return StreamsHttp.body(namespace, status, lag, dropped.snapshot(), threadsReplaced.get());
  }

  /** One Admin client for every /health answer (a client per call cost a connection and a metadata fetch each). */
  private org.apache.kafka.clients.admin.Admin admin() {
    if (admin == null) {
      admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
          org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          org.apache.kafka.clients.admin.AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000));
    }
    return admin;
  }

  /** Records not counted, by reason, so far. */
  public DroppedRecords dropped() {
    return dropped;
  }

  /** The port /health and /metrics listen on, once started. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  /**
   * Publishes the registry the topology computes with, then starts it: the warehouse keeps that
   * history beside the metrics (channel_registry_history). Publishing again at every start only
   * repeats facts, which the warehouse keeps once per change.
   */
  public StreamsApp start() {
    try (ChannelRegistryPublisher publisher = new ChannelRegistryPublisher(bootstrap, registryTopic)) {
      log.info("published {} channel registry changes to {}", publisher.publish(registry), registryTopic);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing the channel registry", e);
    }
    binder = new KafkaStreamsMetrics(streams);
    binder.bindTo(meters);
    streams.start();
    http = new StreamsHttp(meters, this::health, port).start();
    log.info("metrics topology started");
    return this;
  }

  /** Kafka Streams' own metrics (thread ratios, commit latency, process rate), e.g. for a benchmark's report. */
  public java.util.Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> metrics() {
    return streams.metrics();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Blocks until the JVM is asked to stop, then closes the topology (committing its state). */
  public void runUntilShutdown() throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      close();
      stopped.countDown();
    }, "streams-shutdown"));
    start();
    stopped.await();
  }

  /**
   * Commits and closes, leaving the consumer group: a restarted (or remaining) instance gets the
   * partitions at once instead of after the session timeout. The state stays committed either way.
   */
  @Override
  public void close() {
    if (http != null) {
      http.close();
    }
    streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(Duration.ofSeconds(30)));
    if (binder != null) {
      binder.close();
    }
    synchronized (this) {
      if (admin != null) {
        admin.close(Duration.ofSeconds(5));
      }
    }
  }

}
