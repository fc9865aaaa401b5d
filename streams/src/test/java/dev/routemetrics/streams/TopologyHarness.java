package dev.routemetrics.streams;

import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.QuarantinedEvent;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The metrics topology in a TopologyTestDriver under exactly_once_v2, with its event topics to pipe
 * into and its output topics to read: 7 days of lateness, an emit every second of wall-clock time
 * the test advances.
 */
final class TopologyHarness implements AutoCloseable {

  /** TopologyTestDriver gives every topic one partition, the join's too. */
  static final int ONE_PARTITION = 1;

  final TopologyTestDriver driver;
  final TestInputTopic<String, UsageEvent> usage;
  final TestInputTopic<String, BillingEvent> billing;
  final TestInputTopic<String, FeedbackEvent> feedback;
  final TestOutputTopic<String, ChannelWindowMetrics> metrics;
  final TestOutputTopic<String, ChannelWindowRevenue> revenue;
  final TestOutputTopic<String, QuarantinedEvent> quarantine;

  TopologyHarness(Topics topics, ChannelRegistry registry, String applicationId) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // A directory of its own: the default, /tmp/kafka-streams/<application id>, is shared by every
    // checkout's test run on the machine, and two runs at once fail on RocksDB's lock.
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir().toString());
    driver =
        new TopologyTestDriver(
            ChannelMetricsTopology.build(
                topics,
                new ChannelMetricsTopology.Settings(
                    registry,
                    Duration.ofDays(7),
                    Duration.ofSeconds(1),
                    DroppedRecords.inMemory(),
                    ONE_PARTITION)),
            props);
    usage =
        driver.createInputTopic(
            topics.usageEvents, new StringSerializer(), AvroSerde.of(UsageEvent.class));
    billing =
        driver.createInputTopic(
            topics.billingEvents, new StringSerializer(), AvroSerde.of(BillingEvent.class));
    feedback =
        driver.createInputTopic(
            topics.feedbackEvents, new StringSerializer(), AvroSerde.of(FeedbackEvent.class));
    metrics =
        driver.createOutputTopic(
            topics.channelMetrics,
            new StringDeserializer(),
            AvroSerde.of(ChannelWindowMetrics.class));
    revenue =
        driver.createOutputTopic(
            topics.channelRevenue,
            new StringDeserializer(),
            AvroSerde.of(ChannelWindowRevenue.class));
    quarantine =
        driver.createOutputTopic(
            topics.quarantinedEvents,
            new StringDeserializer(),
            AvroSerde.of(QuarantinedEvent.class));
  }

  private static java.nio.file.Path stateDir() {
    try {
      return java.nio.file.Files.createTempDirectory("topology-harness");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    driver.close();
  }
}
