package dev.routemetrics.sink;

import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.ChannelRegistryChange;
import dev.routemetrics.events.DeadLetter;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.QuarantinedEvent;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.sink.migrations.Migrations;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink service: applies the migrations, then runs one worker (one thread, one consumer) per
 * topic.
 */
public final class Sink implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Sink.class);

  private final WarehouseConfig config;
  private final ClickHouse clickHouse;
  private final SinkTelemetry telemetry;
  private final List<SinkWorker<?>> workers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Map<String, String> groupByTopic = new java.util.LinkedHashMap<>();
  private final SinkOffsets offsets;

  public Sink(WarehouseConfig config) throws SQLException {
    this.config = config;
    this.telemetry =
        new SinkTelemetry(
            config.getString(WarehouseConfig.TOPIC_NAMESPACE),
            Duration.ofMillis(config.getInt(WarehouseConfig.SINK_STALL_AFTER_MS)));
    this.clickHouse = new ClickHouse(config);
    new Migrations(clickHouse, config.database(), config.cluster()).apply();
    Topics topics = config.topics();
    new TopicProvisioner(
            config.getString(WarehouseConfig.KAFKA_BOOTSTRAP),
            config.getInt(WarehouseConfig.PARTITIONS))
        .ensure(topics);
    String db = config.database();
    add(topics.channelMetrics, new ChannelMetricsRows(), ChannelMetricsWriter.rows(db));
    add(topics.channelRevenue, new ChannelRevenueRecords(), new ChannelRevenueWriter(db));
    add(
        topics.quarantinedEvents,
        Located.decoder(AvroSerde.of(QuarantinedEvent.class)),
        new QuarantinedEventsWriter(
            db, java.util.Set.of(topics.usageEvents, topics.billingEvents, topics.feedbackEvents)));
    add(
        topics.usageEvents,
        Located.decoder(AvroSerde.of(UsageEvent.class)),
        RawEventsWriters.usage(db));
    add(
        topics.billingEvents,
        Located.decoder(AvroSerde.of(BillingEvent.class)),
        RawEventsWriters.billing(db));
    add(
        topics.feedbackEvents,
        Located.decoder(AvroSerde.of(FeedbackEvent.class)),
        RawEventsWriters.feedback(db));
    add(
        topics.deadLetters,
        Located.decoder(AvroSerde.of(DeadLetter.class)),
        new DeadLettersWriter(db));
    add(
        topics.channelRegistryChanges,
        AvroSerde.of(ChannelRegistryChange.class),
        new ChannelRegistryWriter(db));
    // /health measures the lag when asked, against the broker, not the workers' last fetch.
    this.offsets = new SinkOffsets(config.getString(WarehouseConfig.KAFKA_BOOTSTRAP), groupByTopic);
    telemetry.measureLagWith(offsets);
  }

  private <V> void add(String topic, Deserializer<V> decoder, TableWriter<V> writer) {
    SinkWorker<V> worker =
        new SinkWorker<>(
            consumer(config, topic),
            topic,
            decoder,
            writer,
            clickHouse,
            config.getInt(WarehouseConfig.SINK_BATCH_ROWS),
            Duration.ofMillis(config.getInt(WarehouseConfig.SINK_FLUSH_INTERVAL_MS)),
            Duration.ofMillis(config.getInt(WarehouseConfig.SINK_MAX_BACKOFF_MS)),
            telemetry.topic(topic, writer.table()));
    workers.add(worker);
    groupByTopic.put(topic, group(config, topic));
    threads.add(new Thread(worker, "sink-" + topic));
    log.info("sink: {} -> {} at {}", topic, writer.table(), clickHouse.url());
  }

  /**
   * One consumer group per topic: a worker joining or leaving never pauses the others' partitions.
   */
  private static String group(WarehouseConfig config, String topic) {
    return config.sinkGroup() + "." + topic;
  }

  private static KafkaConsumer<String, byte[]> consumer(WarehouseConfig config, String topic) {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            config.getString(WarehouseConfig.KAFKA_BOOTSTRAP),
            ConsumerConfig.GROUP_ID_CONFIG,
            group(config, topic),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false,
            // Only results of committed Streams transactions: an aborted attempt never reaches a
            // table.
            ConsumerConfig.ISOLATION_LEVEL_CONFIG,
            "read_committed",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            // A sink killed without leaving its group holds its partitions until the session times
            // out:
            // 10 s rather than the default 45 s (the fault run measured 44-49 s to recover from a
            // SIGKILL).
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
            10_000,
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
            3_000,
            // Large polls and fetches: the sink wants few, large inserts, and the broker is local.
            ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
            50_000,
            ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
            64 * 1024 * 1024,
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
            16 * 1024 * 1024),
        new SkippedKeys(),
        new ByteArrayDeserializer());
  }

  /**
   * The sink never reads a record's key (each row carries its key columns), so it does not decode
   * them: the consumer hands over each key as a view of the fetched bytes, and this returns null
   * without copying it or building a String, one saving per record.
   */
  private static final class SkippedKeys implements Deserializer<String> {
    @Override
    public String deserialize(String topic, byte[] data) {
      return null;
    }

    @Override
    public String deserialize(String topic, Headers headers, ByteBuffer data) {
      return null;
    }
  }

  public Sink start() {
    threads.forEach(Thread::start);
    return this;
  }

  /** Lag, flushes and rows per topic, for {@link SinkHttp}. */
  public SinkTelemetry telemetry() {
    return telemetry;
  }

  /** Records polled since start, over every topic (with those read again after a failure). */
  public long recordsRead() {
    return workers.stream().mapToLong(SinkWorker::recordsRead).sum();
  }

  /** Rows written since start, over every table. */
  public long rowsWritten() {
    return workers.stream().mapToLong(SinkWorker::rowsWritten).sum();
  }

  /**
   * Stops every worker and waits up to 30 s for each to finish its batch. An interrupt ends the
   * wait and stays set for the caller: close() does not throw it, so a try-with-resources cannot
   * bury it.
   */
  @Override
  public void close() {
    workers.forEach(SinkWorker::close);
    try {
      for (Thread thread : threads) {
        thread.join(30_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("interrupted while waiting for the sink workers to stop");
    } finally {
      offsets.close();
    }
  }
}
