package dev.routemetrics.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.events.Route;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.WindowSize;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.sink.migrations.Migrations;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sink against the real broker and ClickHouse: replays, a crash between insert and commit, and
 * a ClickHouse outage leave every number exact; its /metrics and /health tell what it wrote and
 * owes.
 */
class SinkIT {

  private static final Instant HOUR = Instant.parse("2026-11-01T10:00:00Z");
  private static final String[] CHANNELS = {
    "direct-api", "consumer-app", "cloud-nimbus", "market-routerhub"
  };

  private String id;
  private Topics topics;
  private WarehouseConfig config;
  private ClickHouse clickHouse;

  @BeforeEach
  void setUp() throws Exception {
    id = "it-sink-" + UUID.randomUUID().toString().substring(0, 8);
    topics = new Topics(id + ".");
    config = config(id + "-sink");
    clickHouse = new ClickHouse(config);
    new TopicProvisioner(config.getString(WarehouseConfig.KAFKA_BOOTSTRAP), 3).ensure(topics);
  }

  private WarehouseConfig config(String group) {
    return new WarehouseConfig(
        Map.of(
            WarehouseConfig.DATABASE,
            id.replace('-', '_'),
            WarehouseConfig.TOPIC_NAMESPACE,
            id + ".",
            WarehouseConfig.SINK_GROUP,
            group,
            WarehouseConfig.SINK_BATCH_ROWS,
            "500",
            WarehouseConfig.SINK_FLUSH_INTERVAL_MS,
            "100",
            WarehouseConfig.SINK_MAX_BACKOFF_MS,
            "2000"));
  }

  @AfterEach
  void dropDatabase() throws Exception {
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + config.database());
    }
  }

  /**
   * Every window of 4 channels x {@code windows} hours re-emitted {@code versions} times, the
   * newest last, as the topology does; returns the requests each channel should end with: the
   * newest version's, requests = 10 x version + window index.
   */
  private Map<String, Long> produce(int windows, int versions) {
    Map<String, Long> expected = new TreeMap<>();
    AvroSerde<ChannelWindowMetrics> serde = AvroSerde.of(ChannelWindowMetrics.class);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.getString(WarehouseConfig.KAFKA_BOOTSTRAP),
                ProducerConfig.ACKS_CONFIG,
                "all"),
            new StringSerializer(),
            new ByteArraySerializer())) {
      Map<ProducerRecord<String, byte[]>, java.util.concurrent.Future<?>> sent =
          new java.util.LinkedHashMap<>();
      for (int v = 1; v <= versions; v++) {
        for (int w = 0; w < windows; w++) {
          for (String channel : CHANNELS) {
            long requests = 10L * v + w;
            Instant start = HOUR.plus(Duration.ofHours(w));
            ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(
                    topics.channelMetrics,
                    channel + "|HOUR|" + start.toEpochMilli(),
                    serde.encode(row(channel, start, v, requests)));
            sent.put(record, producer.send(record));
            if (v == versions) {
              expected.merge(channel, requests, Long::sum);
            }
          }
        }
      }
      // A send refused on a fresh topic (Kafka 4.1 answered OUT_OF_ORDER_SEQUENCE_NUMBER under
      // load) is
      // sent again: a repeated version is harmless to the table, a missing one fails the test
      // silently.
      sent.forEach(
          (record, ack) -> {
            try {
              ack.get();
            } catch (Exception refused) {
              try {
                producer.send(record).get();
              } catch (Exception e) {
                throw new IllegalStateException("the test could not write its input to Kafka", e);
              }
            }
          });
    }
    return expected;
  }

  static ChannelWindowMetrics row(String channel, Instant start, long version, long requests) {
    return ChannelWindowMetrics.newBuilder()
        .setChannelId(channel)
        .setWindowSize(WindowSize.HOUR)
        .setWindowStart(start)
        .setVersion(version)
        .setRoute(Route.DIRECT_API)
        .setPartnerId(null)
        .setControlPointsOwned(3)
        .setUsageEvents(requests)
        .setRequests(requests)
        .setInputTokens(0)
        .setOutputTokens(0)
        .setActiveAccounts(1)
        .setVisibleEndUsers(1)
        .setIdentifiedRequests(0)
        .setErrorRequests(0)
        .setLatencyP50Ms(null)
        .setLatencyP95Ms(null)
        .setLatencyP99Ms(null)
        .setFullTelemetryRequests(0)
        .setFeedbackEvents(0)
        .setTrainableFeedback(0)
        .setCoveredRequests(0)
        .setNewestEventTime(start)
        .build();
  }

  /**
   * Per channel, the requests of the newest version of each HOUR window in the first {@code
   * windows} hours, read as the queries read the table (FINAL), in SQL of the test's own.
   */
  private Map<String, Long> requestsInClickHouse(int windows) throws SQLException {
    Map<String, Long> totals = new TreeMap<>();
    try (Connection connection = clickHouse.connect();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT channel_id, sum(requests) FROM "
                    + config.database()
                    + ".channel_metrics FINAL WHERE window_size = 'HOUR'"
                    + " AND window_start >= toDateTime(?, 'UTC') AND window_start <"
                    + " toDateTime(?, 'UTC') GROUP BY channel_id")) {
      select.setLong(1, HOUR.getEpochSecond());
      select.setLong(2, HOUR.plus(Duration.ofHours(windows)).getEpochSecond());
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          totals.put(rows.getString(1), rows.getLong(2));
        }
      }
    }
    return totals;
  }

  private Map<String, Long> waitFor(Map<String, Long> expected, int windows) throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    Map<String, Long> last = Map.of();
    while (System.currentTimeMillis() < deadline) {
      try {
        last = requestsInClickHouse(windows);
      } catch (SQLException e) {
        // ClickHouse may be on its way back up.
      }
      if (last.equals(expected)) {
        return last;
      }
      Thread.sleep(250);
    }
    return last;
  }

  @Test
  void shouldLeaveEveryResultUnchangedWhenTheTopicIsReplayedFromOffsetZero() throws Exception {
    Map<String, Long> expected = produce(50, 3);
    try (Sink sink = new Sink(config).start();
        SinkHttp http = new SinkHttp(sink.telemetry(), "127.0.0.1", 0).start()) {
      assertThat(waitFor(expected, 50)).isEqualTo(expected);
      // One consumer, no failure: every record in the topic became one row, once.
      long records = recordsAfter(Map.of());
      awaitHealth(http, h -> h.get("lagRecords").asLong() == 0);
      String metrics = get(http, "/metrics");
      assertThat(
              sample(
                  metrics,
                  "routemetrics_sink_rows_written_total",
                  "table",
                  config.database() + ".channel_metrics"))
          .isEqualTo(records);
      assertThat(
              sample(
                  metrics, "routemetrics_sink_records_read_total", "topic", topics.channelMetrics))
          .isEqualTo(records);
      assertThat(
              sample(
                  metrics,
                  "routemetrics_sink_insert_rows_sum",
                  "table",
                  config.database() + ".channel_metrics"))
          .isEqualTo(records);
      assertThat(sample(metrics, "routemetrics_sink_lag_records", "topic", topics.channelMetrics))
          .isZero();
    }
    // A new consumer group reads the whole topic again and writes every row a second time.
    try (Sink replay = new Sink(config(id + "-replay")).start()) {
      long deadline = System.currentTimeMillis() + 60_000;
      while (replay.rowsWritten() < 50L * 4 * 3 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(replay.rowsWritten())
          .as("rows the replay wrote")
          .isGreaterThanOrEqualTo(50L * 4 * 3);
    }
    assertThat(requestsInClickHouse(50)).isEqualTo(expected);
  }

  @Test
  void shouldBeExactAfterACrashBetweenTheInsertAndTheOffsetCommit() throws Exception {
    Map<String, Long> expected = produce(20, 2);
    new Migrations(clickHouse, config.database()).apply();
    ChannelMetricsWriter real = new ChannelMetricsWriter(config.database());
    TableWriter<ChannelWindowMetrics> crashing =
        new TableWriter<>() {
          @Override
          public String table() {
            return real.table();
          }

          @Override
          public void insert(Connection connection, List<ChannelWindowMetrics> rows)
              throws SQLException {
            real.insert(connection, rows);
            throw new IllegalStateException("simulated crash: rows written, offsets not committed");
          }
        };
    SinkWorker<ChannelWindowMetrics> doomed = worker(crashing);
    Thread thread = new Thread(doomed);
    thread.start();
    thread.join(60_000);
    assertThat(thread.isAlive()).isFalse();

    SinkWorker<ChannelWindowMetrics> restarted = worker(real);
    Thread again = new Thread(restarted);
    again.start();
    try {
      assertThat(waitFor(expected, 20)).isEqualTo(expected);
    } finally {
      restarted.close();
      again.join(30_000);
    }
  }

  private SinkWorker<ChannelWindowMetrics> worker(TableWriter<ChannelWindowMetrics> writer) {
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.getString(WarehouseConfig.KAFKA_BOOTSTRAP),
                ConsumerConfig.GROUP_ID_CONFIG,
                id + "-crash",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    return new SinkWorker<>(
        consumer,
        topics.channelMetrics,
        AvroSerde.of(ChannelWindowMetrics.class),
        writer,
        clickHouse,
        10_000,
        Duration.ofMillis(100),
        Duration.ofSeconds(2),
        new SinkTelemetry().topic(topics.channelMetrics, writer.table()));
  }

  @Test
  void shouldDelayButLoseNothingWhileClickHouseIsDownForThirtySeconds() throws Exception {
    Map<String, Long> first = produce(10, 1);
    try (Sink sink = new Sink(config).start();
        SinkHttp http = new SinkHttp(sink.telemetry(), "127.0.0.1", 0).start()) {
      assertThat(waitFor(first, 10)).isEqualTo(first);
      awaitHealth(http, h -> h.get("lagRecords").asLong() == 0);
      clickHouse("stop");
      long down = System.currentTimeMillis();
      Map<String, Long> expected;
      try {
        expected = produce(10, 2);
        // While ClickHouse is down the sink says so, and owes exactly the records after its group's
        // committed offsets, as Kafka counts them.
        long owed = recordsAfter(committedOffsets());
        JsonNode health =
            awaitHealth(
                http,
                h ->
                    "BACKING_OFF".equals(h.get("status").asText())
                        && h.get("lagRecords").asLong() == owed);
        assertThat(health.get("lagRecords").asLong()).isEqualTo(owed).isGreaterThanOrEqualTo(40);
        assertThat(topicStatus(health).get("failedInserts").asLong()).isPositive();
        Thread.sleep(Math.max(0, 30_000 - (System.currentTimeMillis() - down)));
      } finally {
        clickHouse("start");
      }
      assertThat(waitFor(expected, 10)).isEqualTo(expected);
      JsonNode recovered =
          awaitHealth(
              http,
              h -> "UP".equals(h.get("status").asText()) && h.get("lagRecords").asLong() == 0);
      assertThat(topicStatus(recovered).get("secondsSinceCommit").asDouble()).isLessThan(60);
    }
  }

  /**
   * The streams app writes its outputs in transactions, and Kafka writes a transaction's commit
   * markers to its partitions one by one, after the commit returns: for a moment the app's input
   * offsets are committed while its output is not yet readable. A lag counted only to the readable
   * end said 0 then, and {@code routemetrics status} said drained before ClickHouse had the rows
   * (DrainedIT, once in CI). A record written in a transaction still open is owed too.
   */
  @Test
  void shouldOweTheRecordsOfATransactionNotYetCommittedAndNothingOnceItIsAborted()
      throws Exception {
    Map<String, Long> first = produce(2, 1);
    try (Sink sink = new Sink(config).start();
        SinkHttp http = new SinkHttp(sink.telemetry(), "127.0.0.1", 0).start();
        KafkaProducer<String, byte[]> producer = transactionalProducer()) {
      assertThat(waitFor(first, 2)).isEqualTo(first);
      awaitHealth(http, h -> h.get("lagRecords").asLong() == 0);

      producer.beginTransaction();
      Map<String, Long> second = sendVersion(producer, 2, 2);
      producer.flush();
      JsonNode open = JSON.readTree(get(http, "/health"));
      assertThat(open.get("lagRecords").asLong())
          .as("records of an open transaction, acknowledged by the broker: " + open)
          .isEqualTo(2L * CHANNELS.length);

      producer.commitTransaction();
      assertThat(waitFor(second, 2)).isEqualTo(second);
      awaitHealth(http, h -> h.get("lagRecords").asLong() == 0);

      producer.beginTransaction();
      sendVersion(producer, 2, 3);
      producer.flush();
      assertThat(JSON.readTree(get(http, "/health")).get("lagRecords").asLong())
          .isEqualTo(2L * CHANNELS.length);
      producer.abortTransaction();
      // The aborted records and the marker are stepped over: nothing is owed, nothing changed.
      awaitHealth(http, h -> h.get("lagRecords").asLong() == 0);
      assertThat(requestsInClickHouse(2)).isEqualTo(second);
    }
  }

  private KafkaProducer<String, byte[]> transactionalProducer() {
    KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.getString(WarehouseConfig.KAFKA_BOOTSTRAP),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                id + "-transactions"),
            new StringSerializer(),
            new ByteArraySerializer());
    producer.initTransactions();
    return producer;
  }

  /**
   * Version {@code version} of every channel's first {@code windows} hours, as {@link #produce}.
   */
  // A failed send in a transaction fails its commitTransaction, which the test calls.
  @SuppressWarnings("FutureReturnValueIgnored")
  private Map<String, Long> sendVersion(
      KafkaProducer<String, byte[]> producer, int windows, int version) {
    Map<String, Long> expected = new TreeMap<>();
    AvroSerde<ChannelWindowMetrics> serde = AvroSerde.of(ChannelWindowMetrics.class);
    for (int w = 0; w < windows; w++) {
      for (String channel : CHANNELS) {
        long requests = 10L * version + w;
        Instant start = HOUR.plus(Duration.ofHours(w));
        producer.send(
            new ProducerRecord<>(
                topics.channelMetrics,
                channel + "|HOUR|" + start.toEpochMilli(),
                serde.encode(row(channel, start, version, requests))));
        expected.merge(channel, requests, Long::sum);
      }
    }
    return expected;
  }

  /** Records in the metric topic after {@code offsets} (per partition; none: from the start). */
  private long recordsAfter(Map<TopicPartition, OffsetAndMetadata> offsets) throws Exception {
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.getString(WarehouseConfig.KAFKA_BOOTSTRAP)),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topics.channelMetrics).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions);
      long records = 0;
      for (Map.Entry<TopicPartition, Long> end : consumer.endOffsets(partitions).entrySet()) {
        OffsetAndMetadata from = offsets.get(end.getKey());
        records += end.getValue() - (from == null ? start.get(end.getKey()) : from.offset());
      }
      return records;
    }
  }

  private Map<TopicPartition, OffsetAndMetadata> committedOffsets() throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.getString(WarehouseConfig.KAFKA_BOOTSTRAP)))) {
      return admin
          .listConsumerGroupOffsets(config.sinkGroup() + "." + topics.channelMetrics)
          .partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static String get(SinkHttp http, String path) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET " + path).isEqualTo(200);
    return response.body();
  }

  /** /health once it satisfies {@code condition}, or as it last was after 60 s. */
  private static JsonNode awaitHealth(SinkHttp http, Predicate<JsonNode> condition)
      throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    JsonNode health = JSON.readTree(get(http, "/health"));
    while (!condition.test(health) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      health = JSON.readTree(get(http, "/health"));
    }
    assertThat(condition.test(health))
        .as("/health reached the expected state; last: " + health)
        .isTrue();
    return health;
  }

  private JsonNode topicStatus(JsonNode health) {
    for (JsonNode topic : health.get("topics")) {
      if (topic.get("topic").asText().equals(topics.channelMetrics)) {
        return topic;
      }
    }
    throw new AssertionError("no status for " + topics.channelMetrics + " in " + health);
  }

  /**
   * The value of one Prometheus sample, {@code name{label="value",...} number}, as a whole number.
   */
  private static long sample(String metrics, String name, String label, String value) {
    Matcher m =
        Pattern.compile(
                "^"
                    + name
                    + "\\{[^}]*"
                    + label
                    + "=\""
                    + Pattern.quote(value)
                    + "\"[^}]*\\} (\\S+)$",
                Pattern.MULTILINE)
            .matcher(metrics);
    assertThat(m.find()).as(name + " for " + value + " in:\n" + metrics).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  /** Runs deploy/clickhouse.sh, the same script a person would use. */
  private static void clickHouse(String action) throws Exception {
    File repo = new File(System.getProperty("user.dir")).getParentFile();
    Process process =
        new ProcessBuilder("bash", "deploy/clickhouse.sh", action)
            .directory(repo)
            .inheritIO()
            .start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS))
        .as("deploy/clickhouse.sh " + action + " finished")
        .isTrue();
    assertThat(process.exitValue()).as("deploy/clickhouse.sh " + action + " exit code").isZero();
  }
}
