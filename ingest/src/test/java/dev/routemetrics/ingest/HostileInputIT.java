package dev.routemetrics.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile input against the real edge and broker: malformed, wrongly typed, deeply nested,
 * oversized and unicode-edge payloads on every family. Every answer is a 4xx, never a 5xx, and not
 * one event reaches Kafka.
 */
class HostileInputIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<String> FAMILIES = List.of("usage", "billing", "feedback");
  private static final AtomicInteger SENT = new AtomicInteger();
  private static IngestServer server;
  private static Topics topics;
  private static String key;
  private static String bootstrap;

  @BeforeContainer
  static void start() throws Exception {
    String namespace = "it-hostile-" + System.currentTimeMillis() + ".";
    topics = new Topics(namespace);
    Path keys = Files.createTempDirectory("hostile-it").resolve("api-keys.json");
    key = ApiKeys.add(keys, "lab", null);
    IngestConfig config = new IngestConfig(Map.of(IngestConfig.PORT, "0", IngestConfig.TOPIC_NAMESPACE, namespace,
        IngestConfig.API_KEYS_FILE, keys.toString(), IngestConfig.MAX_REQUEST_BYTES, "65536"));
    bootstrap = config.getString(IngestConfig.KAFKA_BOOTSTRAP);
    server = new IngestServer(config).start();
  }

  @AfterContainer
  static void stopAndCheckNothingWasWritten() throws Exception {
    // The edge is still healthy, and not one of the hostile events reached any topic.
    HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(uri("/health")).build(), HttpResponse.BodyHandlers.ofString());
    server.close();
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(SENT.get()).isGreaterThanOrEqualTo(10_000);
    for (String topic : List.of(topics.usageEvents, topics.billingEvents, topics.feedbackEvents)) {
      assertThat(UsageTopic.recordCount(topic, bootstrap)).as("records on %s", topic).isZero();
    }
  }

  static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  @Property(tries = 10_000)
  void shouldAnswerEveryHostilePayloadWithAClear4xx(@ForAll("families") String family, @ForAll("hostile") String body)
      throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri("/v1/events/" + family))
        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    SENT.incrementAndGet();
    assertThat(response.statusCode()).as("status for %s", abbreviate(body)).isBetween(400, 499);
    JsonNode problem = JSON.readTree(response.body());
    assertThat(problem.path("status").asInt()).isEqualTo(response.statusCode());
    assertThat(problem.path("detail").asText()).isNotBlank();
  }

  @Provide
  Arbitrary<String> families() {
    return Arbitraries.of(FAMILIES);
  }

  @Provide
  Arbitrary<String> hostile() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, unicodeNoise()),
        net.jqwik.api.Tuple.of(4, oneFieldBroken()),
        net.jqwik.api.Tuple.of(1, deeplyNested()),
        net.jqwik.api.Tuple.of(1, oversized()),
        net.jqwik.api.Tuple.of(1, wrongShape()));
  }

  /** Any string at all, with surrogates, controls and byte-order marks: almost never JSON. */
  private Arbitrary<String> unicodeNoise() {
    return Arbitraries.strings().all().ofMaxLength(200).map(s -> s.isEmpty() ? "\uFEFF" : s)
        .filter(s -> !looksValid(s));
  }

  /** A well-formed event of some family with one field set to a value it can never take. */
  private Arbitrary<String> oneFieldBroken() {
    Arbitrary<String> field = Arbitraries.of("event_id", "event_time", "channel_id", "account_id", "model_id",
        "request_id", "request_count", "input_tokens", "output_tokens", "latency_ms", "outcome", "telemetry",
        "billing_id", "kind", "billed_by", "currency", "partner_fee", "net_amount", "period_start", "feedback_id",
        "trainable", "source");
    Arbitrary<Object> poison = Arbitraries.oneOf(
        Arbitraries.just((Object) null),
        Arbitraries.integers().between(Integer.MIN_VALUE, -1).map(i -> (Object) i),
        Arbitraries.of((Object) "\u0000", "\uD800", "'; DROP TABLE usage_events; --", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "NaN", "-0.00001"),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.just((Object) Map.of("nested", List.of(1, 2, 3))),
        Arbitraries.strings().ofMinLength(300).ofMaxLength(2_000).map(s -> (Object) s));
    return Combinators.combine(field, poison).as((name, value) -> {
      ObjectNode event = baseEvent();
      event.set(name, JSON.valueToTree(value));
      return event.toString();
    });
  }

  private Arbitrary<String> deeplyNested() {
    return Arbitraries.integers().between(500, 5_000).map(depth -> "[".repeat(depth) + "]".repeat(depth));
  }

  private Arbitrary<String> oversized() {
    return Arbitraries.integers().between(70_000, 200_000).map(n -> "[\"" + "x".repeat(n) + "\"]");
  }

  private Arbitrary<String> wrongShape() {
    return Arbitraries.of("null", "true", "42", "\"event\"", "[]", "[null]", "[42, \"x\"]", "{}", "[{}]", "{\"event_id\":",
        "{\"a\":1}{\"b\":2}");
  }

  /**
   * One event carrying every family's fields, with an event_id nobody else uses but a channel that
   * does not exist: each poisoned copy must be refused, and even the unpoisoned base is refused.
   */
  private static ObjectNode baseEvent() {
    return JSON.createObjectNode()
        .put("event_id", "hostile-" + System.nanoTime()).put("event_time", Instant.now().minusSeconds(60).toString())
        .put("channel_id", "no-such-channel").put("account_id", "a").putNull("end_user_ref").put("model_id", "m")
        .put("request_id", "r").put("request_count", 1).put("input_tokens", 1).put("output_tokens", 1)
        .put("latency_ms", 1).put("outcome", "SUCCESS").put("telemetry", "FULL").put("billing_id", "b")
        .put("kind", "CHARGE").put("billed_by", "LAB").put("currency", "USD").put("partner_fee", "0")
        .put("net_amount", "1").put("period_start", "2026-11-01T00:00:00Z").put("period_end", "2026-11-01T01:00:00Z")
        .put("feedback_id", "f").put("trainable", true).put("source", "END_USER");
  }

  private static boolean looksValid(String s) {
    return s.strip().startsWith("{") || s.strip().startsWith("[");
  }

  private static String abbreviate(String body) {
    return body.length() <= 120 ? body : body.substring(0, 120) + "… (" + body.length() + " chars)";
  }
}
