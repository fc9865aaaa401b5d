package dev.routemetrics.streams;

import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.registry.ChannelRegistryPublisher;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the metrics topology: creates missing topics, starts, and closes cleanly on shutdown. */
public final class StreamsApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StreamsApp.class);

  /** A thread replaced within this long, or no commit while behind for this long, is not UP. */
  static final Duration STALL = Duration.ofSeconds(60);

  /** How long /health waits for each of the broker's answers about offsets. */
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

  private final KafkaStreams streams;
  private final ChannelRegistry registry;
  private final String bootstrap;
  private final String registryTopic;
  private final String namespace;
  private final String applicationId;

  /** Every topic the topology reads: the group's lag is measured over all their partitions. */
  private final java.util.List<String> inputTopics;

  private final int port;
  private final PrometheusMeterRegistry meters =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final DroppedRecords dropped = new DroppedRecords(meters);
  private final AtomicLong threadsReplaced = new AtomicLong();
  private volatile long lastReplacedAt = Long.MIN_VALUE;
  private long lastCommittedSum = -1;
  private boolean lagMeasured = true;
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
    new TopicProvisioner(
            bootstrap,
            config.getInt(StreamsAppConfig.PARTITIONS),
            config.getInt(StreamsAppConfig.REPLICATION_FACTOR))
        .ensure(topics);
    this.registry = ChannelRegistry.load(config.getString(StreamsAppConfig.REGISTRY));
    Topology topology =
        ChannelMetricsTopology.build(
            topics,
            new ChannelMetricsTopology.Settings(
                registry,
                Duration.ofDays(config.getInt(StreamsAppConfig.LATENESS_DAYS)),
                Duration.ofMillis(config.getInt(StreamsAppConfig.EMIT_INTERVAL_MS)),
                dropped,
                // The shuffles' partitions are fixed with their topics at the first start: to
                // change
                // them, derive the metrics again under a new application id (deploy/rebuild.sh).
                config.getInt(StreamsAppConfig.PARTITIONS)));
    log.debug("topology:\n{}", topology.describe());
    this.applicationId = config.applicationId();
    this.inputTopics = inputTopics(topology, applicationId);
    java.util.Properties props = config.streamsProperties();
    props.put(QuarantineOnError.DROPPED, dropped);
    this.streams = new KafkaStreams(topology, props);
    // A stream thread that dies (say, a transaction timed out while the broker was restarting) is
    // replaced: under exactly-once the new one resumes from the committed state, so nothing is lost
    // or counted twice, and the app keeps going instead of idling in ERROR. /health says STALLED
    // for
    // a while after each replacement, so a crash loop does not pass for UP.
    streams.setGlobalStateRestoreListener(new RestoreProgress(meters));
    streams.setUncaughtExceptionHandler(
        e -> {
          log.error("stream thread failed; replacing it (it resumes from the committed state)", e);
          threadsReplaced.incrementAndGet();
          lastReplacedAt = System.currentTimeMillis();
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
  }

  /**
   * What /health answers: the state, lag per input and internal topic partition, dropped records.
   *
   * <p>The lag is the consumer group's, not this instance's: for every partition of every topic the
   * topology reads (the event topics and its repartition topics), the log's end against the group's
   * committed offset, both asked of the broker. An instance that holds no task yet (at start-up,
   * before its first assignment; or one of several instances) reports the partitions it does not
   * hold too, so it cannot say caught up while any event waits anywhere. Before, the lag was summed
   * over the locally held tasks only: right after a start the app held none, or held a task
   * re-created after a corruption whose offsets it did not know, and said 0 with every event still
   * to read (StreamsHealthIT). A partition the group has not committed yet counts from the log's
   * start; one whose lag cannot be measured (the broker did not answer, a repartition topic not
   * created yet) is reported as null, and the total then is unknown (null), never 0.
   */
  public synchronized Map<String, Object> health() {
    Map<String, Long> lag = new TreeMap<>();
    boolean measured = true;
    long committedSum = 0;
    try {
      GroupLag group = groupLag();
      committedSum = group.committedSum();
      lag.putAll(group.lag());
      measured = !group.lag().containsValue(null);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (lagMeasured) {
        log.warn(
            "could not measure the group's lag (reported as unknown until it can): {}",
            e.toString());
      }
      measured = false;
      for (String topic : inputTopics) {
        lag.put(topic, null);
      }
    }
    // Committed input offsets do not mean counted: a task folds events into partial tallies and
    // ships them every emit interval, and the window totals they merge into are emitted every emit
    // interval too; both are committed (changelogged) before they are shipped. Records still held
    // there count as lag, so "caught up" means nothing waits inside the app either. The partial and
    // dirty-mark stores are live-object stores, read here only by their entry count, which counts
    // the changes not yet written through (their maps are the stream thread's: no scan from here).
    if (streams.state() == KafkaStreams.State.RUNNING) {
      for (String store :
          java.util.List.of(
              ChannelMetricsTopology.USAGE_PARTIALS_STORE,
              ChannelMetricsTopology.JOIN_BATCHES_STORE,
              ChannelMetricsTopology.LEARNING_PARTIALS_STORE,
              ChannelMetricsTopology.REVENUE_PARTIALS_STORE,
              ChannelMetricsTopology.CHANNEL_WINDOWS_DIRTY_STORE,
              ChannelMetricsTopology.REVENUE_WINDOWS_DIRTY_STORE)) {
        long held;
        try {
          org.apache.kafka.streams.state.ReadOnlyKeyValueStore<Object, Object> held0 =
              streams.store(
                  org.apache.kafka.streams.StoreQueryParameters.fromNameAndType(
                      store, org.apache.kafka.streams.state.QueryableStoreTypes.keyValueStore()));
          held = held0.approximateNumEntries();
        } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
          held = 1; // migrating between threads or instances: not known to be empty
        }
        if (held > 0) {
          lag.put(store + " (not yet emitted)", held);
        }
      }
      // An emit deletes what it ships from the stores above and hands it to the producer; until
      // the broker has it, no offset anywhere shows it (DrainedIT saw drained with shipped
      // partials still in the producer). Buffer memory in use is exactly the batches not yet
      // acknowledged: a batch returns its memory on completion.
      long unacknowledged = producerBytesInUse();
      if (unacknowledged > 0) {
        lag.put("producer (bytes not yet acknowledged)", unacknowledged);
      }
    }
    lagMeasured = measured;
    long now = System.currentTimeMillis();
    if (committedSum != lastCommittedSum) {
      lastCommittedSum = committedSum;
      lastProgressAt = now;
    }
    long behind =
        lag.values().stream().filter(java.util.Objects::nonNull).mapToLong(Long::longValue).sum();
    String status =
        switch (streams.state()) {
          case CREATED -> "STARTING";
          case REBALANCING -> "REBALANCING";
          case RUNNING ->
              (lastReplacedAt != Long.MIN_VALUE && now - lastReplacedAt < STALL.toMillis())
                      || ((behind > 0 || !measured) && now - lastProgressAt > STALL.toMillis())
                  ? "STALLED"
                  : "UP";
          default -> "DOWN";
        };
    return StreamsHttp.body(
        namespace,
        status,
        lag,
        measured ? behind : null,
        dropped.snapshot(),
        threadsReplaced.get());
  }

  /** Bytes the app's producers hold for batches the broker has not acknowledged yet. */
  private long producerBytesInUse() {
    Map<String, Double> total = new java.util.HashMap<>();
    Map<String, Double> available = new java.util.HashMap<>();
    streams
        .metrics()
        .forEach(
            (name, metric) -> {
              if (!name.group().equals("producer-metrics")
                  || !(metric.metricValue() instanceof Double value)) {
                return;
              }
              String client = name.tags().getOrDefault("client-id", "");
              if (name.name().equals("buffer-total-bytes")) {
                total.put(client, value);
              } else if (name.name().equals("buffer-available-bytes")) {
                available.put(client, value);
              }
            });
    long inUse = 0;
    for (Map.Entry<String, Double> e : total.entrySet()) {
      Double free = available.get(e.getKey());
      if (free != null) {
        inUse += (long) Math.max(0, e.getValue() - free);
      }
    }
    return inUse;
  }

  /**
   * Per input partition ({@code topic-partition}) the records the group has not committed (null:
   * unknown), and the committed sum.
   */
  private record GroupLag(Map<String, Long> lag, long committedSum) {}

  /**
   * The group's lag over every partition of {@link #inputTopics}: log end (read_uncommitted, so
   * records of a transaction still open count; a committed offset at the end of a transactional log
   * has passed its commit marker too, as Kafka Streams commits its consumer's position) minus the
   * committed offset (the stable one: offsets of a transaction not yet committed are not counted as
   * done), or minus the log start where the group has committed nothing yet.
   */
  private GroupLag groupLag() throws Exception {
    org.apache.kafka.clients.admin.Admin admin = admin();
    Map<String, Long> lag = new TreeMap<>();
    java.util.List<TopicPartition> partitions = new java.util.ArrayList<>();
    Map<
            String,
            org.apache.kafka.common.KafkaFuture<org.apache.kafka.clients.admin.TopicDescription>>
        described = admin.describeTopics(inputTopics).topicNameValues();
    for (String topic : inputTopics) {
      try {
        described
            .get(topic)
            .get(ADMIN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
            .partitions()
            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause()
            instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
          throw e;
        }
        lag.put(
            topic,
            null); // a repartition topic Kafka Streams has not created yet: not known to be empty
      }
    }
    Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
        admin
            .listConsumerGroupOffsets(applicationId)
            .partitionsToOffsetAndMetadata()
            .get(ADMIN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> specs =
        new java.util.HashMap<>();
    java.util.List<TopicPartition> uncommitted = new java.util.ArrayList<>();
    for (TopicPartition tp : partitions) {
      specs.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest());
      if (committed.get(tp) == null) {
        uncommitted.add(tp);
      }
    }
    org.apache.kafka.clients.admin.ListOffsetsOptions uncommittedReads =
        new org.apache.kafka.clients.admin.ListOffsetsOptions(
            org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED);
    Map<TopicPartition, Long> ends = new java.util.HashMap<>();
    admin
        .listOffsets(specs, uncommittedReads)
        .all()
        .get(ADMIN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .forEach((tp, info) -> ends.put(tp, info.offset()));
    Map<TopicPartition, Long> starts = new java.util.HashMap<>();
    if (!uncommitted.isEmpty()) {
      Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> earliest =
          new java.util.HashMap<>();
      uncommitted.forEach(
          tp -> earliest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.earliest()));
      admin
          .listOffsets(earliest, uncommittedReads)
          .all()
          .get(ADMIN_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
          .forEach((tp, info) -> starts.put(tp, info.offset()));
    }
    long committedSum = 0;
    for (TopicPartition tp : partitions) {
      org.apache.kafka.clients.consumer.OffsetAndMetadata offset = committed.get(tp);
      long done = offset != null ? offset.offset() : starts.get(tp);
      committedSum += done;
      lag.put(tp.topic() + "-" + tp.partition(), Math.max(0, ends.get(tp) - done));
    }
    return new GroupLag(lag, committedSum);
  }

  /**
   * Every topic the topology reads as a stream: the event topics, and its repartition topics under
   * the application id's prefix (Kafka Streams names them {@code <application id>-<name>}; the
   * topology's description gives the bare name).
   */
  private static java.util.List<String> inputTopics(Topology topology, String applicationId) {
    java.util.Set<String> topics = new java.util.TreeSet<>();
    for (org.apache.kafka.streams.TopologyDescription.Subtopology sub :
        topology.describe().subtopologies()) {
      for (org.apache.kafka.streams.TopologyDescription.Node node : sub.nodes()) {
        if (node instanceof org.apache.kafka.streams.TopologyDescription.Source source
            && source.topicSet() != null) {
          for (String topic : source.topicSet()) {
            topics.add(
                topic.endsWith("-repartition") && !topic.startsWith(applicationId + "-")
                    ? applicationId + "-" + topic
                    : topic);
          }
        }
      }
    }
    return java.util.List.copyOf(topics);
  }

  /**
   * One Admin client for every /health answer (a client per call cost a connection and a metadata
   * fetch each). Its request timeout is its API timeout: an API timeout below the request timeout
   * (30 s by default) is refused when the client is created, and a first version with only the API
   * timeout set never had a client at all (the lag fell back, silently, to the local tasks' view).
   */
  private org.apache.kafka.clients.admin.Admin admin() {
    if (admin == null) {
      admin =
          org.apache.kafka.clients.admin.Admin.create(
              Map.of(
                  org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                      bootstrap,
                  org.apache.kafka.clients.admin.AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                      (int) ADMIN_TIMEOUT.toMillis(),
                  org.apache.kafka.clients.admin.AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                      (int) ADMIN_TIMEOUT.toMillis()));
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
    try (ChannelRegistryPublisher publisher =
        new ChannelRegistryPublisher(bootstrap, registryTopic)) {
      log.info(
          "published {} channel registry changes to {}",
          publisher.publish(registry),
          registryTopic);
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

  /**
   * Kafka Streams' own metrics (thread ratios, commit latency, process rate), e.g. for a
   * benchmark's report.
   */
  public java.util.Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric>
      metrics() {
    return streams.metrics();
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** Blocks until the JVM is asked to stop, then closes the topology (committing its state). */
  public void runUntilShutdown() throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  close();
                  stopped.countDown();
                },
                "streams-shutdown"));
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
    streams.close(
        CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
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
