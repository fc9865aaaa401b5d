package dev.routemetrics.warehouse.sink;

import dev.routemetrics.metrics.ChannelWindowRequests;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import dev.routemetrics.warehouse.ClickHouse;
import dev.routemetrics.warehouse.WarehouseConfig;
import dev.routemetrics.warehouse.migrations.Migrations;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The sink service: applies the migrations, then runs one worker per metric topic. */
public final class Sink implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Sink.class);

  private final SinkWorker<ChannelWindowRequests> requestsMinute;
  private final Thread thread;

  public Sink(WarehouseConfig config) throws SQLException {
    ClickHouse clickHouse = new ClickHouse(config);
    new Migrations(clickHouse, config.database()).apply();
    Topics topics = new Topics(config.getString(WarehouseConfig.TOPIC_NAMESPACE));
    new TopicProvisioner(config.getString(WarehouseConfig.KAFKA_BOOTSTRAP), config.getInt(WarehouseConfig.PARTITIONS))
        .ensure(topics);
    this.requestsMinute = new SinkWorker<>(consumer(config), topics.channelRequestsMinute,
        AvroSerde.of(ChannelWindowRequests.class), new ChannelRequestsWriter(config.database()), clickHouse,
        config.getInt(WarehouseConfig.SINK_BATCH_ROWS),
        Duration.ofMillis(config.getInt(WarehouseConfig.SINK_FLUSH_INTERVAL_MS)),
        Duration.ofMillis(config.getInt(WarehouseConfig.SINK_MAX_BACKOFF_MS)));
    this.thread = new Thread(requestsMinute, "sink-" + topics.channelRequestsMinute);
    log.info("sink: {} -> {}.channel_requests_minute at {}", topics.channelRequestsMinute, config.database(),
        clickHouse.url());
  }

  private static KafkaConsumer<String, byte[]> consumer(WarehouseConfig config) {
    return new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(WarehouseConfig.KAFKA_BOOTSTRAP),
        ConsumerConfig.GROUP_ID_CONFIG, config.getString(WarehouseConfig.SINK_GROUP),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        // Only results of committed Streams transactions: an aborted attempt never reaches a table.
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000),
        new StringDeserializer(), new ByteArrayDeserializer());
  }

  public Sink start() {
    thread.start();
    return this;
  }

  public long rowsWritten() {
    return requestsMinute.rowsWritten();
  }

  @Override
  public void close() throws InterruptedException {
    requestsMinute.close();
    thread.join(30_000);
  }
}
