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
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile input against the real edge and broker: malformed, wrongly typed, deeply nested,
 * oversized and unicode-edge payloads on every family. Every answer is a 4xx, never a 5xx, and not
 * one hostile event reaches Kafka. Each poisoned case starts from a valid event of its family (the
 * base, which the ingest accepts: one of each reaches Kafka) with one field set to a value its rule
 * refuses, and must be refused with 400 problem+json naming that field and no other; a base that
 * was itself invalid (once, a channel that does not exist) would have every case refused for it.
 */
class HostileInputIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<String> FAMILIES = List.of("usage", "billing", "feedback");
  private static final AtomicInteger SENT = new AtomicInteger();
  private static final AtomicInteger BASES_ACCEPTED = new AtomicInteger();
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
    IngestConfig config =
        new IngestConfig(
            Map.of(
                IngestConfig.PORT,
                "0",
                IngestConfig.TOPIC_NAMESPACE,
                namespace,
                IngestConfig.API_KEYS_FILE,
                keys.toString(),
                IngestConfig.MAX_REQUEST_BYTES,
                "65536"));
    bootstrap = config.getString(IngestConfig.KAFKA_BOOTSTRAP);
    server = new IngestServer(config).start();
  }

  @AfterContainer
  static void stopAndCheckNothingWasWritten() throws Exception {
    if (server == null) {
      return; // the start failed, and said why: nothing to check, and no second error to hide the
      // first
    }
    // The edge is still healthy, and not one of the hostile events reached any topic: only the
    // three base events, each accepted once.
    HttpResponse<String> health =
        HTTP.send(
            HttpRequest.newBuilder(uri("/health")).build(), HttpResponse.BodyHandlers.ofString());
    server.close();
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(SENT.get()).isGreaterThanOrEqualTo(10_000);
    for (String topic : List.of(topics.usageEvents, topics.billingEvents, topics.feedbackEvents)) {
      assertThat(UsageTopic.recordCount(topic, bootstrap))
          .as("records on %s", topic)
          .isEqualTo(BASES_ACCEPTED.get() / 3);
    }
  }

  static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  @Property(tries = 5_000)
  void shouldRefuseEachPoisonedFieldNamingThatFieldAlone(@ForAll("poisoned") Poisoned poisoned)
      throws Exception {
    HttpResponse<String> response = post(poisoned.family(), poisoned.body());
    SENT.incrementAndGet();
    assertThat(response.statusCode())
        .as("status for %s: %s", poisoned, response.body())
        .isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith(Problem.MEDIA_TYPE);
    JsonNode problem = JSON.readTree(response.body());
    assertThat(problem.path("status").asInt()).isEqualTo(400);
    List<String> named = new java.util.ArrayList<>();
    problem.path("errors").forEach(e -> named.add(e.path("field").asText()));
    assertThat(named)
        .as("fields the answer names for %s: %s", poisoned, response.body())
        .containsExactly(poisoned.field());
  }

  /**
   * The base of every poisoned case is an event the ingest accepts: one of each family reaches
   * Kafka, no more.
   */
  @net.jqwik.api.Example
  void shouldAcceptEachFamilysBaseEvent() throws Exception {
    for (String family : FAMILIES) {
      HttpResponse<String> response = post(family, baseEvent(family).toString());
      assertThat(response.statusCode())
          .as("%s base event: %s", family, response.body())
          .isEqualTo(202);
      BASES_ACCEPTED.incrementAndGet();
    }
  }

  private static HttpResponse<String> post(String family, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(uri("/v1/events/" + family))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Property(tries = 5_000)
  void shouldAnswerEveryHostilePayloadWithAClear4xx(
      @ForAll("families") String family, @ForAll("hostile") String body) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(uri("/v1/events/" + family))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
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
        net.jqwik.api.Tuple.of(1, deeplyNested()),
        net.jqwik.api.Tuple.of(1, oversized()),
        net.jqwik.api.Tuple.of(1, wrongShape()));
  }

  /** Any string at all, with surrogates, controls and byte-order marks: almost never JSON. */
  private Arbitrary<String> unicodeNoise() {
    return Arbitraries.strings()
        .all()
        .ofMaxLength(200)
        .map(s -> s.isEmpty() ? "\uFEFF" : s)
        .filter(s -> !looksValid(s));
  }

  /**
   * A valid event of {@code family} with one of its fields set to a value that field can never
   * take, as {@link Poisoned}. Each field draws from the values its rule refuses (an id: not a
   * string, empty, a control character, a lone surrogate, too long; a time: not ISO-8601 or out of
   * bounds; money: a fractional JSON number, an exponent, too many decimals), so that every case is
   * refused for that field and no other.
   */
  @Provide
  Arbitrary<Poisoned> poisoned() {
    return Arbitraries.of(FAMILIES)
        .flatMap(
            family ->
                Arbitraries.of(FIELDS.get(family).keySet().stream().toList())
                    .flatMap(
                        field ->
                            poison(FIELDS.get(family).get(field))
                                .map(
                                    value -> {
                                      ObjectNode event = baseEvent(family);
                                      event.set(field, JSON.valueToTree(value));
                                      // A lone surrogate must travel escaped: raw, the request's
                                      // UTF-8 encoder would turn it into '?', a valid id.
                                      return new Poisoned(
                                          family,
                                          field,
                                          value,
                                          event.toString().replace("\uD800", "\\uD800"));
                                    })));
  }

  /**
   * One hostile case: {@code body} is {@code family}'s base event with {@code field} set to {@code
   * value}.
   */
  record Poisoned(String family, String field, Object value, String body) {
    @Override
    public String toString() {
      return family + "." + field + " = " + abbreviate(String.valueOf(value));
    }
  }

  /** What a field's rule is, for the values it refuses. */
  enum Rule {
    ID,
    OPTIONAL_ID,
    CHANNEL,
    CURRENCY,
    TIME,
    COUNT,
    OPTIONAL_COUNT,
    SCORE,
    STATEMENT_ONLY,
    ENUM,
    MONEY,
    OPTIONAL_MONEY,
    BOOLEAN
  }

  /**
   * Every field each family reads, with its rule (the parsers: Envelope, UsageEventParser, ...).
   */
  static final Map<String, Map<String, Rule>> FIELDS =
      Map.of(
          "usage",
              fields(
                  "request_id",
                  Rule.ID,
                  "request_count",
                  Rule.OPTIONAL_COUNT,
                  "input_tokens",
                  Rule.COUNT,
                  "output_tokens",
                  Rule.COUNT,
                  "latency_ms",
                  Rule.COUNT,
                  "outcome",
                  Rule.ENUM,
                  "telemetry",
                  Rule.ENUM),
          "billing",
              fields(
                  "billing_id",
                  Rule.ID,
                  "kind",
                  Rule.ENUM,
                  "billed_by",
                  Rule.ENUM,
                  "currency",
                  Rule.CURRENCY,
                  "gross_amount",
                  Rule.OPTIONAL_MONEY,
                  "partner_fee",
                  Rule.MONEY,
                  "net_amount",
                  Rule.MONEY,
                  "period_start",
                  Rule.TIME,
                  "period_end",
                  Rule.TIME,
                  "reported_request_count",
                  Rule.STATEMENT_ONLY),
          "feedback",
              fields(
                  "feedback_id",
                  Rule.ID,
                  "request_id",
                  Rule.OPTIONAL_ID,
                  "kind",
                  Rule.ENUM,
                  "score",
                  Rule.SCORE,
                  "trainable",
                  Rule.BOOLEAN,
                  "source",
                  Rule.ENUM));

  private static Map<String, Rule> fields(Object... specific) {
    Map<String, Rule> fields =
        new java.util.LinkedHashMap<>(
            Map.of(
                "event_id",
                Rule.ID,
                "event_time",
                Rule.TIME,
                "channel_id",
                Rule.CHANNEL,
                "account_id",
                Rule.ID,
                "end_user_ref",
                Rule.OPTIONAL_ID,
                "model_id",
                Rule.ID));
    for (int i = 0; i < specific.length; i += 2) {
      fields.put((String) specific[i], (Rule) specific[i + 1]);
    }
    return fields;
  }

  /** Values {@code rule} always refuses. */
  private static Arbitrary<Object> poison(Rule rule) {
    Arbitrary<Object> nul = Arbitraries.just((Object) null);
    Arbitrary<Object> negative =
        Arbitraries.integers().between(Integer.MIN_VALUE, -1).map(i -> (Object) i);
    Arbitrary<Object> doubles =
        Arbitraries.doubles().map(d -> (Object) d); // a JSON number with a point: never an integer
    Arbitrary<Object> nested = Arbitraries.just((Object) Map.of("nested", List.of(1, 2, 3)));
    Arbitrary<Object> longText =
        Arbitraries.strings()
            .withCharRange('!', '~')
            .ofMinLength(300)
            .ofMaxLength(2_000)
            .map(t -> (Object) t);
    Arbitrary<Object> badIds =
        Arbitraries.of((Object) "", "   ", "\u0000", "a\u0007b", "\uD800", true);
    Arbitrary<Object> notText =
        Arbitraries.oneOf(negative, doubles, nested, Arbitraries.just((Object) false));
    return switch (rule) {
      case ID -> Arbitraries.oneOf(nul, notText, badIds, longText);
      case OPTIONAL_ID -> Arbitraries.oneOf(notText, badIds, longText);
      case CHANNEL ->
          Arbitraries.oneOf(
              nul,
              notText,
              badIds,
              longText,
              Arbitraries.of(
                  (Object) "no-such-channel",
                  "'; DROP TABLE usage_events; --",
                  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
                  "DIRECT-API"));
      case CURRENCY ->
          Arbitraries.oneOf(
              nul,
              notText,
              badIds,
              longText,
              Arbitraries.of((Object) "usd", "XAU", "XTS", "NaN", "US"));
      case TIME ->
          Arbitraries.oneOf(
              nul,
              notText,
              longText,
              Arbitraries.of(
                  (Object) "NaN",
                  "'; DROP TABLE usage_events; --",
                  "2026-13-01T00:00:00Z",
                  "2026-11-01 10:15:30",
                  "1999-12-31T23:59:59Z",
                  "2999-01-01T00:00:00Z",
                  "-1000000000-01-01T00:00:00Z"));
      case COUNT ->
          Arbitraries.oneOf(
              nul,
              negative,
              doubles,
              nested,
              Arbitraries.of((Object) "1", "NaN", 10_000_000_000_000L));
      case OPTIONAL_COUNT ->
          Arbitraries.oneOf(negative, doubles, nested, Arbitraries.of((Object) 0, "1", "NaN"));
      case SCORE ->
          Arbitraries.oneOf(negative, doubles, nested, Arbitraries.of((Object) 0, 6, "5", "NaN"));
      case STATEMENT_ONLY ->
          Arbitraries.oneOf(negative, doubles, nested, Arbitraries.of((Object) 5, "5"));
      case ENUM ->
          Arbitraries.oneOf(
              nul, notText, longText, Arbitraries.of((Object) "UNKNOWN", "success", "NaN", ""));
      case MONEY ->
          Arbitraries.oneOf(
              nul,
              negative,
              doubles,
              nested,
              longText,
              Arbitraries.of(
                  (Object) "NaN",
                  "-0.00001",
                  "1e3",
                  " 1",
                  "1.23456",
                  "99999999999",
                  "\u0000",
                  "+1"));
      case OPTIONAL_MONEY ->
          Arbitraries.oneOf(
              negative,
              doubles,
              nested,
              longText,
              Arbitraries.of(
                  (Object) "NaN", "-0.00001", "1e3", " 1", "1.23456", "99999999999", "+1"));
      case BOOLEAN ->
          Arbitraries.oneOf(
              nul, negative, doubles, nested, Arbitraries.of((Object) "true", 1, "yes"));
    };
  }

  private Arbitrary<String> deeplyNested() {
    return Arbitraries.integers()
        .between(500, 5_000)
        .map(depth -> "[".repeat(depth) + "]".repeat(depth));
  }

  private Arbitrary<String> oversized() {
    return Arbitraries.integers().between(70_000, 200_000).map(n -> "[\"" + "x".repeat(n) + "\"]");
  }

  private Arbitrary<String> wrongShape() {
    return Arbitraries.of(
        "null",
        "true",
        "42",
        "\"event\"",
        "[]",
        "[null]",
        "[42, \"x\"]",
        "{}",
        "[{}]",
        "{\"event_id\":",
        "{\"a\":1}{\"b\":2}");
  }

  /**
   * A valid event of {@code family} (the ingest answers 202 to it unchanged, {@link
   * #shouldAcceptEachFamilysBaseEvent}), with an event_id nobody else uses: a poisoned copy can
   * only be refused for the field it poisons.
   */
  static ObjectNode baseEvent(String family) {
    return ValidEvents.of(family, Instant.now());
  }

  private static boolean looksValid(String s) {
    return s.strip().startsWith("{") || s.strip().startsWith("[");
  }

  private static String abbreviate(String body) {
    return body.length() <= 120 ? body : body.substring(0, 120) + "… (" + body.length() + " chars)";
  }
}
