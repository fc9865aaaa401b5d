package dev.routemetrics.streams;

import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.registry.ChannelRegistryPublisher;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the metrics topology: creates missing topics, starts, and closes cleanly on shutdown. */
public final class StreamsApp implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StreamsApp.class);

  private final KafkaStreams streams;
  private final ChannelRegistry registry;
  private final String bootstrap;
  private final String registryTopic;

  public StreamsApp(StreamsAppConfig config) {
    Topics topics = config.topics();
    this.bootstrap = config.getString(StreamsAppConfig.KAFKA_BOOTSTRAP);
    this.registryTopic = topics.channelRegistryChanges;
    new TopicProvisioner(bootstrap, config.getInt(StreamsAppConfig.PARTITIONS)).ensure(topics);
    this.registry = ChannelRegistry.load(config.getString(StreamsAppConfig.REGISTRY));
    Topology topology = ChannelMetricsTopology.build(topics, new ChannelMetricsTopology.Settings(
        registry,
        Duration.ofDays(config.getInt(StreamsAppConfig.LATENESS_DAYS)),
        Duration.ofMillis(config.getInt(StreamsAppConfig.EMIT_INTERVAL_MS))));
    log.debug("topology:\n{}", topology.describe());
    this.streams = new KafkaStreams(topology, config.streamsProperties());
    // A stream thread that dies (say, a transaction timed out while the broker was restarting) is
    // replaced: under exactly-once the new one resumes from the committed state, so nothing is lost
    // or counted twice, and the app keeps going instead of idling in ERROR.
    streams.setUncaughtExceptionHandler(e -> {
      log.error("stream thread failed; replacing it (it resumes from the committed state)", e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
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
    streams.start();
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
    streams.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(30)).leaveGroup(true));
  }

}
