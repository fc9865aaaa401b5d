package dev.routemetrics.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.schemas.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The edge against the real broker: what it answers, and that what it acknowledged is in Kafka. */
class IngestIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static IngestServer server;
  private static Topics topics;
  private static Path keys;
  private static String labKey;
  private static String nimbusKey;
  private static String bootstrap;

  @BeforeAll
  static void start() throws Exception {
    String namespace = "it-ingest-" + System.currentTimeMillis() + ".";
    topics = new Topics(namespace);
    keys = Files.createTempDirectory("ingest-it").resolve("api-keys.json");
    labKey = ApiKeys.add(keys, "lab", null);
    nimbusKey = ApiKeys.add(keys, "nimbus", "nimbus-cloud");
    IngestConfig config =
        new IngestConfig(
            Map.of(
                IngestConfig.PORT, "0",
                IngestConfig.TOPIC_NAMESPACE, namespace,
                IngestConfig.API_KEYS_FILE, keys.toString(),
                IngestConfig.MAX_BATCH_EVENTS, "50",
                IngestConfig.ACK_TIMEOUT_MS, "3000"));
    bootstrap = config.getString(IngestConfig.KAFKA_BOOTSTRAP);
    server = new IngestServer(config).start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static ObjectNode event(String id, String channel) {
    return JSON.createObjectNode()
        .put("event_id", id)
        .put("event_time", Instant.now().minusSeconds(60).toString())
        .put("channel_id", channel)
        .put("account_id", "acct-1")
        .putNull("end_user_ref")
        .put("model_id", "frontier-fast")
        .put("request_id", "req-" + id)
        .put("request_count", 1)
        .put("input_tokens", 100)
        .put("output_tokens", 20)
        .put("latency_ms", 500)
        .put("outcome", "SUCCESS")
        .put("telemetry", "METADATA");
  }

  static HttpResponse<String> post(String key, JsonNode body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/events/usage"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static Set<String> eventIdsInKafka() {
    return UsageTopic.eventIds(topics.usageEvents, bootstrap);
  }

  @Test
  void shouldAcceptABatchOnlyOnceKafkaHasIt() throws Exception {
    ArrayNode batch =
        JSON.createArrayNode()
            .add(event("batch-1", "direct-api"))
            .add(event("batch-2", "cloud-nimbus"));
    HttpResponse<String> response = post(labKey, batch);

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(JSON.readTree(response.body()).path("accepted").asInt()).isEqualTo(2);
    assertThat(eventIdsInKafka()).contains("batch-1", "batch-2");
  }

  @Test
  void shouldTakeTheValidEventsOfAMixedBatchAndNameTheInvalidOnes() throws Exception {
    ArrayNode batch =
        JSON.createArrayNode()
            .add(event("mixed-ok-1", "direct-api"))
            .add(event("mixed-bad", "direct-api").put("latency_ms", -3))
            .add(event("mixed-ok-2", "consumer-app"));
    HttpResponse<String> response = post(labKey, batch);

    assertThat(response.statusCode()).isEqualTo(207);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("accepted").asInt()).isEqualTo(2);
    assertThat(body.path("rejected").asInt()).isEqualTo(1);
    assertThat(body.path("accepted_indexes").toString()).isEqualTo("[0,2]");
    assertThat(body.path("errors").get(0).toString())
        .isEqualTo(
            "{\"index\":1,\"event_id\":\"mixed-bad\",\"field\":\"latency_ms\",\"problem\":\"must be"
                + " >= 0, was -3\"}");
    assertThat(eventIdsInKafka()).contains("mixed-ok-1", "mixed-ok-2").doesNotContain("mixed-bad");
  }

  @Test
  void shouldAnswer401WithoutAValidKeyAndSayNothingAboutChannels() throws Exception {
    for (String key : new String[] {null, "rm_not-a-key"}) {
      HttpResponse<String> response = post(key, event("nokey", "direct-api"));
      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.body()).doesNotContain("direct-api").doesNotContain("channel");
    }
    assertThat(eventIdsInKafka()).doesNotContain("nokey");
  }

  @Test
  void shouldLetAPartnerKeyWriteOnlyItsOwnChannels() throws Exception {
    assertThat(post(nimbusKey, event("nimbus-own", "cloud-nimbus")).statusCode()).isEqualTo(202);

    HttpResponse<String> other =
        post(
            nimbusKey,
            JSON.createArrayNode()
                .add(event("nimbus-mixed-own", "cloud-nimbus"))
                .add(event("nimbus-foreign", "cloud-stratus")));
    HttpResponse<String> unknown = post(nimbusKey, event("nimbus-unknown", "no-such-channel"));

    assertThat(other.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(other.body()).path("errors").get(0).path("index").asInt())
        .isEqualTo(1);
    // An unknown channel gets the very same answer as another partner's: a key cannot probe.
    assertThat(unknown.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(unknown.body()).path("errors").get(0).path("problem").asText())
        .isEqualTo("this key may not write channel 'no-such-channel'");
    assertThat(eventIdsInKafka())
        .contains("nimbus-own")
        .doesNotContain("nimbus-mixed-own", "nimbus-foreign", "nimbus-unknown");
  }

  @Test
  void shouldAnswer413ForABatchOverTheLimit() throws Exception {
    ArrayNode batch = JSON.createArrayNode();
    for (int i = 0; i < 51; i++) {
      batch.add(event("big-" + i, "direct-api"));
    }
    HttpResponse<String> response = post(labKey, batch);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(response.body()).path("detail").asText())
        .isEqualTo("a request may carry at most 50 events, this one has 51");
  }

  @Test
  void shouldExposeAcceptedAndRejectedCountsForPrometheus() throws Exception {
    post(labKey, event("metrics-1", "direct-api"));
    post(null, event("metrics-2", "direct-api"));
    String metrics =
        HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();

    assertThat(metrics)
        .contains("routemetrics_ingest_events_accepted_total{family=\"usage\"}")
        .contains(
            "routemetrics_ingest_events_rejected_total{family=\"usage\",reason=\"unauthenticated\"}");
  }
}
