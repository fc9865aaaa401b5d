package dev.routemetrics.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.events.BilledBy;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.BillingKind;
import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.Route;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.WindowSize;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Poison records written straight to Kafka while the sink runs: bytes that are not a record, a
 * record whose value its column cannot hold, and one ClickHouse refuses. Each is set aside in
 * {@code sink_rejected_records} with its topic, partition, offset and reason, and counted; every
 * other row lands exactly once (counted without FINAL, so a good row written twice while the bad
 * one was looked for would show), and the sink stays UP.
 */
class SinkPoisonIT {

  private static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private String id;
  private Topics topics;
  private WarehouseConfig config;
  private ClickHouse clickHouse;
  private KafkaProducer<String, byte[]> producer;
  private int keys;

  @BeforeEach
  void setUp() {
    id = "it-poison-" + UUID.randomUUID().toString().substring(0, 8);
    topics = new Topics(id + ".");
    config =
        new WarehouseConfig(
            Map.of(
                WarehouseConfig.DATABASE,
                id.replace('-', '_'),
                WarehouseConfig.TOPIC_NAMESPACE,
                id + ".",
                WarehouseConfig.SINK_GROUP,
                id + "-sink",
                WarehouseConfig.SINK_BATCH_ROWS,
                "500",
                WarehouseConfig.SINK_FLUSH_INTERVAL_MS,
                "100",
                WarehouseConfig.SINK_MAX_BACKOFF_MS,
                "2000"));
    clickHouse = new ClickHouse(config);
    new TopicProvisioner(config.getString(WarehouseConfig.KAFKA_BOOTSTRAP), 3).ensure(topics);
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.getString(WarehouseConfig.KAFKA_BOOTSTRAP),
                ProducerConfig.ACKS_CONFIG,
                "all"),
            new StringSerializer(),
            new ByteArraySerializer());
  }

  @AfterEach
  void tearDown() throws Exception {
    producer.close();
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + config.database());
    }
  }

  static UsageEvent usage(String id, int requests) {
    return UsageEvent.newBuilder()
        .setEventId(id)
        .setEventTime(DAY)
        .setChannelId("cloud-nimbus")
        .setAccountId("acct")
        .setEndUserRef(null)
        .setModelId("m")
        .setRequestId("r-" + id)
        .setRequestCount(requests)
        .setInputTokens(1)
        .setOutputTokens(1)
        .setLatencyMs(1)
        .setOutcome(Outcome.SUCCESS)
        .setTelemetry(TelemetryLevel.NONE)
        .build();
  }

  static BillingEvent charge(String id, String currency, String net) {
    return BillingEvent.newBuilder()
        .setEventId(id)
        .setEventTime(DAY)
        .setChannelId("direct-api")
        .setAccountId("acct")
        .setEndUserRef(null)
        .setModelId("m")
        .setBillingId("b-" + id)
        .setKind(BillingKind.CHARGE)
        .setBilledBy(BilledBy.LAB)
        .setCurrency(currency)
        .setGrossAmount(new BigDecimal(net))
        .setPartnerFee(new BigDecimal("0.0000"))
        .setNetAmount(new BigDecimal(net))
        .setPeriodStart(DAY)
        .setPeriodEnd(DAY.plus(Duration.ofHours(1)))
        .setReportedRequestCount(null)
        .build();
  }

  static ChannelWindowMetrics metrics(String channel, int hour, int controlPoints) {
    Instant start = DAY.plus(Duration.ofHours(hour));
    return ChannelWindowMetrics.newBuilder()
        .setChannelId(channel)
        .setWindowSize(WindowSize.HOUR)
        .setWindowStart(start)
        .setVersion(1)
        .setRoute(Route.DIRECT_API)
        .setPartnerId(null)
        .setControlPointsOwned(controlPoints)
        .setUsageEvents(1)
        .setRequests(hour + 1L)
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

  private RecordMetadata send(String topic, byte[] value) throws Exception {
    // Keyed: the metric topics are compacted, and a compacted topic refuses a record without a key.
    return producer.send(new ProducerRecord<>(topic, "k-" + (keys++), value)).get();
  }

  /** "topic|partition|offset|reason" of one poison record as the test sent it. */
  private static String rejected(RecordMetadata sent, String reason) {
    return sent.topic() + "|" + sent.partition() + "|" + sent.offset() + "|" + reason;
  }

  @Test
  void shouldSetPoisonRecordsAsideWithTheirReasonAndLandEveryOtherRowExactlyOnce()
      throws Exception {
    AvroSerde<UsageEvent> usageSerde = AvroSerde.of(UsageEvent.class);
    AvroSerde<BillingEvent> billingSerde = AvroSerde.of(BillingEvent.class);
    AvroSerde<ChannelWindowMetrics> metricsSerde = AvroSerde.of(ChannelWindowMetrics.class);
    // Before the sink starts: 300 usage events of 1 request, 40 USD charges of 2.5000, 10 hours of
    // metrics.
    for (int i = 0; i < 300; i++) {
      send(topics.usageEvents, usageSerde.encode(usage("u-" + i, 1)));
    }
    for (int i = 0; i < 40; i++) {
      send(topics.billingEvents, billingSerde.encode(charge("c-" + i, "USD", "2.5000")));
    }
    for (int h = 0; h < 10; h++) {
      send(topics.channelMetrics, metricsSerde.encode(metrics("direct-api", h, 3)));
    }
    TreeSet<String> poison = new TreeSet<>();
    try (Sink sink = new Sink(config).start();
        SinkHttp http = new SinkHttp(sink.telemetry(), "127.0.0.1", 0).start()) {
      awaitCount("SELECT count() FROM " + config.database() + ".usage_events", 300);
      // Mid-run, interleaved with good records: bytes that are no record on three topics; a charge
      // in "EURO", which FixedString(3) refuses; a window owning 300 control points, which UInt8
      // cannot hold.
      byte[] garbage = "not an avro record".getBytes(StandardCharsets.UTF_8);
      for (int i = 300; i < 600; i++) {
        send(topics.usageEvents, usageSerde.encode(usage("u-" + i, 1)));
        if (i == 350 || i == 480) {
          poison.add(rejected(send(topics.usageEvents, garbage), "undecodable"));
        }
      }
      for (int i = 40; i < 80; i++) {
        send(topics.billingEvents, billingSerde.encode(charge("c-" + i, "USD", "2.5000")));
        if (i == 60) {
          poison.add(
              rejected(
                  send(
                      topics.billingEvents,
                      billingSerde.encode(charge("c-euro", "EURO", "7.0000"))),
                  "refused-by-clickhouse"));
          poison.add(rejected(send(topics.billingEvents, garbage), "undecodable"));
        }
      }
      for (int h = 10; h < 20; h++) {
        send(topics.channelMetrics, metricsSerde.encode(metrics("direct-api", h, 3)));
        if (h == 15) {
          poison.add(
              rejected(
                  send(topics.channelMetrics, metricsSerde.encode(metrics("consumer-app", h, 300))),
                  "out-of-range"));
          poison.add(rejected(send(topics.channelMetrics, garbage), "undecodable"));
        }
      }

      // Every good row exactly once, without FINAL: 600 usage events of 1 request each; 80 charges
      // of 2.5000 = 200.0000; 20 hours with requests 1 + 2 + ... + 20 = 210.
      String db = config.database();
      awaitCount("SELECT count() FROM " + db + ".usage_events", 600);
      awaitCount("SELECT count() FROM " + db + ".billing_events", 80);
      awaitCount("SELECT count() FROM " + db + ".channel_metrics", 20);
      awaitCount("SELECT count() FROM " + db + ".sink_rejected_records", poison.size());
      JsonNode health = awaitLagZero(http);
      assertThat(single("SELECT toString(sum(request_count)) FROM " + db + ".usage_events"))
          .isEqualTo("600");
      assertThat(single("SELECT toString(sum(net_amount)) FROM " + db + ".billing_events"))
          .isEqualTo("200.0000");
      assertThat(
              single("SELECT toString(countIf(currency = 'EUR')) FROM " + db + ".billing_events"))
          .isEqualTo("0");
      assertThat(single("SELECT toString(sum(requests)) FROM " + db + ".channel_metrics"))
          .isEqualTo("210");
      assertThat(single("SELECT toString(uniqExact(channel_id)) FROM " + db + ".channel_metrics"))
          .isEqualTo("1");

      // The quarantine holds exactly the seven poison records, each with its reason and what went
      // wrong.
      assertThat(rejectedRows()).containsExactlyElementsOf(poison);
      assertThat(
              single(
                  "SELECT error FROM "
                      + db
                      + ".sink_rejected_records WHERE topic = '"
                      + topics.billingEvents
                      + "' AND reason = 'refused-by-clickhouse'"))
          .contains("FixedString(3)");
      assertThat(
              single(
                  "SELECT error FROM "
                      + db
                      + ".sink_rejected_records WHERE topic = '"
                      + topics.channelMetrics
                      + "' AND payload_b64 = '"
                      + java.util.Base64.getEncoder().encodeToString(garbage)
                      + "'"))
          .contains("single-object");

      assertThat(health.get("status").asText()).isEqualTo("UP");
      String metrics = get(http, "/metrics");
      assertThat(sample(metrics, topics.usageEvents, "undecodable")).isEqualTo(2);
      assertThat(sample(metrics, topics.billingEvents, "undecodable")).isEqualTo(1);
      assertThat(sample(metrics, topics.billingEvents, "refused-by-clickhouse")).isEqualTo(1);
      assertThat(sample(metrics, topics.channelMetrics, "undecodable")).isEqualTo(1);
      assertThat(sample(metrics, topics.channelMetrics, "out-of-range")).isEqualTo(1);
    }
  }

  private List<String> rejectedRows() throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT topic, kafka_partition, kafka_offset, reason FROM "
                    + config.database()
                    + ".sink_rejected_records ORDER BY topic, kafka_partition, kafka_offset")) {
      while (rs.next()) {
        rows.add(
            rs.getString(1) + "|" + rs.getInt(2) + "|" + rs.getLong(3) + "|" + rs.getString(4));
      }
    }
    rows.sort(null);
    return rows;
  }

  private String single(String sql) throws SQLException {
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getString(1);
    }
  }

  /** Waits until {@code sql} counts {@code expected}, up to 90 s, then asserts it does. */
  private void awaitCount(String sql, long expected) throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    String last = null;
    while (System.currentTimeMillis() < deadline) {
      try {
        last = single(sql);
      } catch (SQLException e) {
        last = e.getMessage(); // the table may not exist yet
      }
      if (String.valueOf(expected).equals(last)) {
        return;
      }
      Thread.sleep(200);
    }
    assertThat(last).as(sql).isEqualTo(String.valueOf(expected));
  }

  private static String get(SinkHttp http, String path) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET " + path).isEqualTo(200);
    return response.body();
  }

  private static JsonNode awaitLagZero(SinkHttp http) throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    JsonNode health = JSON.readTree(get(http, "/health"));
    while (health.get("lagRecords").asLong() != 0 && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      health = JSON.readTree(get(http, "/health"));
    }
    assertThat(health.get("lagRecords").asLong()).as("lag in " + health).isZero();
    return health;
  }

  private static long sample(String metrics, String topic, String reason) {
    Matcher m =
        Pattern.compile(
                "^routemetrics_sink_records_rejected_total\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE)
            .matcher(metrics);
    while (m.find()) {
      if (m.group(1).contains("topic=\"" + topic + "\"")
          && m.group(1).contains("reason=\"" + reason + "\"")) {
        return (long) Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError(
        "no routemetrics_sink_records_rejected_total for "
            + topic
            + ", "
            + reason
            + " in:\n"
            + metrics);
  }
}
