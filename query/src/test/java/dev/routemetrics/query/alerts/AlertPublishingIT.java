package dev.routemetrics.query.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.events.Route;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.WindowSize;
import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.QueryConfig;
import dev.routemetrics.query.http.QueryServer;
import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.sink.ChannelMetricsWriter;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.migrations.Migrations;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Alerts end to end on the real servers: a stale channel in ClickHouse fires the freshness rule,
 * the transition reaches a Kafka topic, a webhook and {@code /api/alerts}; a newer event resolves
 * it.
 */
class AlertPublishingIT {

  static final Instant DAY = Instant.parse("2026-11-01T00:00:00Z");
  static final String BOOTSTRAP =
      System.getenv().getOrDefault("ROUTEMETRICS_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
  static final ObjectMapper JSON = new ObjectMapper();

  private final String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  private final String database = "it_alerts_" + id;
  private final String namespace = "it-alerts-" + id + ".";
  private ClickHouse clickHouse;
  private Javalin webhook;
  private final BlockingQueue<String> posted = new LinkedBlockingQueue<>();
  private QueryServer server;
  private String labKey;

  @BeforeEach
  void start() throws Exception {
    clickHouse = new ClickHouse(new QueryConfig(Map.of(QueryConfig.DATABASE, database)));
    new Migrations(clickHouse, database).apply();
    webhook =
        Javalin.create(c -> c.showJavalinBanner = false)
            .post(
                "/hook",
                ctx -> {
                  posted.add(ctx.body());
                  ctx.status(204);
                })
            .start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    webhook.stop();
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + database);
    }
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP))) {
      admin.deleteTopics(List.of(namespace + "alerts")).all().get(30, TimeUnit.SECONDS);
    }
  }

  static ChannelWindowMetrics day(long version, Instant newest) {
    return ChannelWindowMetrics.newBuilder()
        .setChannelId("cloud-nimbus")
        .setWindowSize(WindowSize.DAY)
        .setWindowStart(DAY)
        .setVersion(version)
        .setRoute(Route.CLOUD_PARTNER)
        .setPartnerId("nimbus-cloud")
        .setControlPointsOwned(0)
        .setUsageEvents(version)
        .setRequests(100 * version)
        .setInputTokens(0)
        .setOutputTokens(0)
        .setActiveAccounts(1)
        .setVisibleEndUsers(0)
        .setIdentifiedRequests(0)
        .setErrorRequests(0)
        .setLatencyP50Ms(null)
        .setLatencyP95Ms(null)
        .setLatencyP99Ms(null)
        .setFullTelemetryRequests(0)
        .setFeedbackEvents(0)
        .setTrainableFeedback(0)
        .setCoveredRequests(0)
        .setNewestEventTime(newest)
        .build();
  }

  @Test
  void shouldPublishFiringThenResolvedToKafkaTheWebhookAndTheApi() throws Exception {
    var keys = Files.createTempDirectory("routemetrics-keys").resolve("api-keys.json");
    labKey =
        ApiKeys.add(
            keys, "lab-ops",
            null); // alerts are the lab's: a partner's key gets 403 (QueryAccessIT)
    QueryConfig config =
        new QueryConfig(
            Map.of(
                QueryConfig.DATABASE,
                database,
                QueryConfig.TOPIC_NAMESPACE,
                namespace,
                QueryConfig.PARTITIONS,
                "1",
                QueryConfig.API_KEYS_FILE,
                keys.toString()));
    String shipped =
        new String(
            AlertRules.class.getResourceAsStream("/alerts/alerts.json").readAllBytes(),
            StandardCharsets.UTF_8);
    AlertRules rules =
        AlertRules.parse(
            shipped
                .replace(
                    "\"webhook_url\": \"\"",
                    "\"webhook_url\": \"http://127.0.0.1:" + webhook.port() + "/hook\"")
                .getBytes(StandardCharsets.UTF_8),
            "test");
    HandMadeInputs.TestClock clock =
        new HandMadeInputs.TestClock(Instant.parse("2026-11-01T11:00:00Z"));
    AlertEvaluator alerts =
        AlertEvaluator.forWarehouse(config, rules, new MetricsReader(clickHouse, database), clock);
    server = new QueryServer(config, "127.0.0.1", 0, clock, alerts).start();
    try (Connection connection = clickHouse.connect()) {
      new ChannelMetricsWriter(database)
          .insert(connection, List.of(day(1, Instant.parse("2026-11-01T10:30:00Z"))));
    }

    // 11:00 − 10:30 = 1800 s > 900 s.
    assertThat(alerts.evaluate()).extracting(Alert::key).containsExactly("freshness|cloud-nimbus");
    JsonNode fired = JSON.readTree(posted.poll(10, TimeUnit.SECONDS));
    assertThat(fired.get("state").asText()).isEqualTo("FIRING");
    assertThat(fired.get("rule").asText()).isEqualTo("freshness");
    assertThat(fired.get("subject").asText()).isEqualTo("cloud-nimbus");
    assertThat(fired.get("value").asDouble()).isEqualTo(1800.0);
    assertThat(fired.get("since").asText()).isEqualTo("2026-11-01T11:00:00Z");
    JsonNode api = JSON.readTree(get("/api/alerts"));
    assertThat(api.get("alerts")).hasSize(1);
    assertThat(api.get("alerts").get(0).get("state").asText()).isEqualTo("FIRING");

    // A newer version of the day arrives with an event at 10:59; at 11:05 it is 360 s old.
    try (Connection connection = clickHouse.connect()) {
      new ChannelMetricsWriter(database)
          .insert(connection, List.of(day(2, Instant.parse("2026-11-01T10:59:00Z"))));
    }
    clock.now = Instant.parse("2026-11-01T11:05:00Z");

    assertThat(alerts.evaluate()).extracting(Alert::state).containsExactly(Alert.State.RESOLVED);
    JsonNode resolved = JSON.readTree(posted.poll(10, TimeUnit.SECONDS));
    assertThat(resolved.get("state").asText()).isEqualTo("RESOLVED");
    assertThat(resolved.get("at").asText()).isEqualTo("2026-11-01T11:05:00Z");
    api = JSON.readTree(get("/api/alerts"));
    assertThat(api.get("alerts")).hasSize(1);
    assertThat(api.get("alerts").get(0).get("state").asText()).isEqualTo("RESOLVED");

    List<ConsumerRecord<String, String>> records = consume(namespace + "alerts", 2);
    assertThat(records).extracting(ConsumerRecord::key).containsOnly("freshness|cloud-nimbus");
    assertThat(records)
        .extracting(r -> JSON.readTree(r.value()).get("state").asText())
        .containsExactly("FIRING", "RESOLVED");
  }

  private String get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + labKey)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static List<ConsumerRecord<String, String>> consume(String topic, int count) {
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                BOOTSTRAP,
                ConsumerConfig.GROUP_ID_CONFIG,
                "it-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
      while (records.size() < count && Instant.now().isBefore(deadline)) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
    }
    return records;
  }
}
