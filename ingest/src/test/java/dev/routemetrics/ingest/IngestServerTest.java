package dev.routemetrics.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.topics.Topics;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every way a request can end, with Kafka played by a MockProducer whose acknowledgements the test
 * gives or withholds: after each one the edge holds nothing (no event permit, no key lease), an
 * unexpected exception answers 500 problem+json and is counted, and a batch Kafka took only part of
 * says exactly which events were stored.
 */
class IngestServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private final MockProducer<String, byte[]> kafka =
      new MockProducer<>(
          false, new FirstPartition(), new StringSerializer(), new ByteArraySerializer());
  private IngestServer server;
  private String key;
  private String otherKey;

  /** The MockProducer needs a partitioner without a cluster: everything on partition 0. */
  public static final class FirstPartition implements Partitioner {
    @Override
    public int partition(
        String topic,
        Object key,
        byte[] keyBytes,
        Object value,
        byte[] valueBytes,
        Cluster cluster) {
      return 0;
    }

    @Override
    public void close() {}

    @Override
    public void configure(Map<String, ?> configs) {}
  }

  private void start(Map<String, String> settings, List<EventFamily<?>> families) throws Exception {
    Path keys = Files.createTempDirectory("ingest-server-test").resolve("api-keys.json");
    key = ApiKeys.add(keys, "lab", null);
    otherKey = ApiKeys.add(keys, "other", null);
    Map<String, String> config =
        new HashMap<>(
            Map.of(
                IngestConfig.PORT,
                "0",
                IngestConfig.API_KEYS_FILE,
                keys.toString(),
                IngestConfig.MAX_IN_FLIGHT_EVENTS,
                "3",
                IngestConfig.MAX_BATCH_EVENTS,
                "3",
                IngestConfig.MAX_REQUEST_BYTES,
                "4096"));
    config.putAll(settings);
    server =
        new IngestServer(new IngestConfig(config), families, new EventPublisher(kafka)).start();
  }

  private void start() throws Exception {
    start(
        Map.of(),
        EventFamilies.of(ChannelRegistry.builtIn(), Clock.systemUTC(), Duration.ofMinutes(5)));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String usage(String id) {
    return IngestIT.event(id, "direct-api").toString();
  }

  private CompletableFuture<HttpResponse<String>> postAsync(String apiKey, String body) {
    return HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/events/usage"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + apiKey)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String body) throws Exception {
    return postAsync(key, body).get();
  }

  /**
   * Posts, waits until Kafka has been handed {@code records} records, then lets {@code
   * kafkaAnswers} answer them.
   */
  private HttpResponse<String> postAndAnswer(String body, int records, Runnable kafkaAnswers)
      throws Exception {
    int before = kafka.history().size();
    CompletableFuture<HttpResponse<String>> response = postAsync(key, body);
    awaitRecords(before + records, response);
    kafkaAnswers.run();
    return response.get();
  }

  /**
   * Waits until Kafka has been handed {@code total} records in all (or the request was answered
   * without).
   */
  private void awaitRecords(int total, CompletableFuture<?> response) throws InterruptedException {
    while (kafka.history().size() < total && !response.isDone()) {
      Thread.sleep(1);
    }
  }

  private String metrics() throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** After every answer: no event waits for Kafka, no request holds a key's lease. */
  private void assertNothingHeld() throws Exception {
    assertThat(metrics())
        .contains("routemetrics_ingest_events_in_flight 0.0")
        .contains("routemetrics_ingest_requests_in_progress 0.0");
  }

  @Test
  void shouldGiveBackWhatEachRequestHeldOnEveryPath() throws Exception {
    start();
    // 202
    assertThat(postAndAnswer(usage("ok-1"), 1, kafka::completeNext).statusCode()).isEqualTo(202);
    assertNothingHeld();
    // 207: one of three invalid
    String mixed =
        "["
            + usage("m-1")
            + ","
            + usage("m-bad").replace("\"latency_ms\":500", "\"latency_ms\":-1")
            + ","
            + usage("m-2")
            + "]";
    assertThat(
            postAndAnswer(
                    mixed,
                    2,
                    () -> {
                      kafka.completeNext();
                      kafka.completeNext();
                    })
                .statusCode())
        .isEqualTo(207);
    assertNothingHeld();
    // 400: invalid event; 400: not JSON; 413: batch; 413: body; 415; 401; 403 (a partner key is
    // tested in IngestIT)
    assertThat(post(usage("bad").replace("\"latency_ms\":500", "\"latency_ms\":-1")).statusCode())
        .isEqualTo(400);
    assertThat(post("{").statusCode()).isEqualTo(400);
    assertThat(
            post("["
                    + usage("b1")
                    + ","
                    + usage("b2")
                    + ","
                    + usage("b3")
                    + ","
                    + usage("b4")
                    + "]")
                .statusCode())
        .isEqualTo(413);
    assertThat(post("[" + " ".repeat(5000) + "]").statusCode()).isEqualTo(413);
    assertThat(
            HTTP.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/v1/events/usage"))
                        .header("Authorization", "Bearer " + key)
                        .POST(HttpRequest.BodyPublishers.ofString(usage("ct")))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(415);
    assertThat(postAsync("rm_nope", usage("k")).get().statusCode()).isEqualTo(401);
    assertNothingHeld();
    // 429: two events wait for Kafka, two more do not fit the three permits
    CompletableFuture<HttpResponse<String>> waiting =
        postAsync(key, "[" + usage("p1") + "," + usage("p2") + "]");
    awaitRecords(kafka.history().size() + 2, waiting);
    HttpResponse<String> overloaded = post("[" + usage("p3") + "," + usage("p4") + "]");
    assertThat(overloaded.statusCode()).isEqualTo(429);
    assertThat(overloaded.headers().firstValue("Retry-After")).hasValue("1");
    kafka.completeNext();
    kafka.completeNext();
    assertThat(waiting.get().statusCode()).isEqualTo(202);
    assertNothingHeld();
    // 503: Kafka times out; 500: Kafka refuses the record
    HttpResponse<String> unavailable =
        postAndAnswer(usage("t-1"), 1, () -> kafka.errorNext(new TimeoutException("no ack")));
    assertThat(unavailable.statusCode()).isEqualTo(503);
    assertThat(unavailable.headers().firstValue("Retry-After")).hasValue("5");
    assertNothingHeld();
    HttpResponse<String> refused =
        postAndAnswer(
            usage("r-1"), 1, () -> kafka.errorNext(new RecordTooLargeException("too big")));
    assertThat(refused.statusCode()).isEqualTo(500);
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertNothingHeld();
    // After all of it every permit is free: three events at once (the limit) are taken.
    assertThat(
            postAndAnswer(
                    "[" + usage("f1") + "," + usage("f2") + "," + usage("f3") + "]",
                    3,
                    () -> {
                      kafka.completeNext();
                      kafka.completeNext();
                      kafka.completeNext();
                    })
                .statusCode())
        .isEqualTo(202);
    assertNothingHeld();
  }

  private JsonNode health() throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  @Test
  void shouldAnswerHealthAsItselfWithItsNamespacePidAndTheEventsWaitingForKafka() throws Exception {
    start(
        Map.of(IngestConfig.TOPIC_NAMESPACE, "blue-"),
        EventFamilies.of(ChannelRegistry.builtIn(), Clock.systemUTC(), Duration.ofMinutes(5)));
    JsonNode idle = health();
    assertThat(idle.path("service").asText()).isEqualTo("ingest");
    assertThat(idle.path("namespace").asText()).isEqualTo("blue-");
    assertThat(idle.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
    assertThat(idle.path("status").asText()).isEqualTo("UP");
    assertThat(idle.path("inFlightEvents").isNumber()).isTrue();
    assertThat(idle.path("inFlightEvents").asLong()).isZero();

    // Two events handed to Kafka and not yet acknowledged: both in flight until Kafka answers.
    int before = kafka.history().size();
    CompletableFuture<HttpResponse<String>> waiting =
        postAsync(key, "[" + usage("h1") + "," + usage("h2") + "]");
    awaitRecords(before + 2, waiting);
    assertThat(health().path("inFlightEvents").asLong()).isEqualTo(2);
    kafka.completeNext();
    kafka.completeNext();
    assertThat(waiting.get().statusCode()).isEqualTo(202);
    assertThat(health().path("inFlightEvents").asLong()).isZero();
  }

  @Test
  void shouldAnswer500ProblemJsonForAnUnexpectedExceptionCountItAndHoldNothing() throws Exception {
    // A family whose encoding fails for one event id: what an unforeseen bug looks like to the
    // edge.
    List<EventFamily<?>> families = new ArrayList<>();
    for (EventFamily<?> family :
        EventFamilies.of(ChannelRegistry.builtIn(), Clock.systemUTC(), Duration.ofMinutes(5))) {
      families.add(family.name().equals("usage") ? failingToEncode(family) : family);
    }
    start(Map.of(), families);

    HttpResponse<String> response =
        post("[" + usage("fine-1") + "," + usage("boom") + "," + usage("fine-2") + "]");

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode problem = JSON.readTree(response.body());
    assertThat(problem.path("status").asInt()).isEqualTo(500);
    assertThat(problem.path("detail").asText()).contains("IllegalStateException");
    assertThat(kafka.history())
        .as("nothing was sent: every record is encoded before the first is")
        .isEmpty();
    assertThat(metrics())
        .contains(
            "routemetrics_ingest_requests_refused_total{family=\"usage\",reason=\"unexpected\"}"
                + " 1.0")
        .contains("routemetrics_ingest_request_seconds_count{family=\"usage\",status=\"500\"} 1");
    assertNothingHeld();
    // All three permits are free again (the limit is 3).
    assertThat(
            postAndAnswer(
                    "[" + usage("a1") + "," + usage("a2") + "," + usage("a3") + "]",
                    3,
                    () -> {
                      kafka.completeNext();
                      kafka.completeNext();
                      kafka.completeNext();
                    })
                .statusCode())
        .isEqualTo(202);
  }

  @SuppressWarnings("unchecked")
  private static <T> EventFamily<T> failingToEncode(EventFamily<?> family) {
    EventFamily<T> inner = (EventFamily<T>) family;
    return new EventFamily<>() {
      @Override
      public String name() {
        return inner.name();
      }

      @Override
      public String topic(Topics topics) {
        return inner.topic(topics);
      }

      @Override
      public Schema schema() {
        return inner.schema();
      }

      @Override
      public T parse(JsonNode json) {
        return inner.parse(json);
      }

      @Override
      public String eventId(T event) {
        return inner.eventId(event);
      }

      @Override
      public String channelId(T event) {
        return inner.channelId(event);
      }

      @Override
      public Instant eventTime(T event) {
        return inner.eventTime(event);
      }

      @Override
      public byte[] encode(T event) {
        if (inner.eventId(event).equals("boom")) {
          throw new IllegalStateException("cannot encode");
        }
        return inner.encode(event);
      }
    };
  }

  @Test
  void shouldSayExactlyWhichEventsKafkaStoredWhenItTookOnlyPartOfABatch() throws Exception {
    start();
    String batch = "[" + usage("part-1") + "," + usage("part-2") + "," + usage("part-3") + "]";

    HttpResponse<String> response =
        postAndAnswer(
            batch,
            3,
            () -> {
              kafka.completeNext();
              kafka.errorNext(new TimeoutException("no ack"));
              kafka.completeNext();
            });

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("accepted").asInt()).isEqualTo(2);
    assertThat(body.path("accepted_indexes").toString()).isEqualTo("[0,2]");
    assertThat(body.path("event_ids").toString()).isEqualTo("[\"part-1\",\"part-3\"]");
    assertThat(body.path("errors").size()).isEqualTo(1);
    assertThat(body.path("errors").get(0).path("index").asInt()).isEqualTo(1);
    assertThat(body.path("errors").get(0).path("event_id").asText()).isEqualTo("part-2");
    assertThat(body.path("detail").asText())
        .startsWith("2 of 3 events were stored")
        .doesNotContain("127.0.0.1");
    assertNothingHeld();
  }

  @Test
  void shouldLimitEachKeysRequestRateWithoutTouchingAnotherKeys() throws Exception {
    start(
        Map.of(IngestConfig.KEY_MAX_REQUESTS_PER_SECOND, "1", IngestConfig.KEY_REQUEST_BURST, "2"),
        EventFamilies.of(ChannelRegistry.builtIn(), Clock.systemUTC(), Duration.ofMinutes(5)));
    // The burst of two is admitted (and refused for its body); at one a second, a 429 follows (the
    // exact arithmetic is KeyLimits' own test, with a clock the test moves).
    List<Integer> statuses = new ArrayList<>();
    HttpResponse<String> limited = post("{");
    while (limited.statusCode() != 429 && statuses.size() < 50) {
      statuses.add(limited.statusCode());
      limited = post("{");
    }
    HttpResponse<String> other = postAsync(otherKey, "{").get();

    assertThat(statuses).hasSizeGreaterThanOrEqualTo(2).containsOnly(400);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(JSON.readTree(limited.body()).path("type").asText())
        .isEqualTo("urn:routemetrics:problem:rate-limited");
    assertThat(other.statusCode()).as("another key has its own bucket").isEqualTo(400);
    assertNothingHeld();
  }

  @Test
  void shouldGiveEachKeyAtMostItsConcurrentRequestsAndTheirTokenBucket() {
    AtomicLong now = new AtomicLong();
    KeyLimits limits = new KeyLimits(2, 10, 3, now::get);
    KeyLimits.Admission first = limits.admit("a");
    KeyLimits.Admission second = limits.admit("a");
    KeyLimits.Admission third = limits.admit("a");
    assertThat(first).isInstanceOf(KeyLimits.Admitted.class);
    assertThat(second).isInstanceOf(KeyLimits.Admitted.class);
    assertThat(third)
        .isEqualTo(
            new KeyLimits.Refused(
                "too-many-concurrent",
                1,
                "key 'a' already has 2 requests in progress, the most one key may hold; nothing was"
                    + " accepted, retry when one has been answered"));
    assertThat(limits.admit("b")).as("another key").isInstanceOf(KeyLimits.Admitted.class);
    ((KeyLimits.Admitted) first).close();
    ((KeyLimits.Admitted) first).close(); // twice is once
    assertThat(limits.open()).isEqualTo(2);
    // The burst of 3 is spent ("a" took 3 tokens); at 10 a second the next token is 0.1 s away:
    // Retry-After 1.
    assertThat(limits.admit("a"))
        .isInstanceOf(KeyLimits.Refused.class)
        .extracting(r -> ((KeyLimits.Refused) r).reason())
        .isEqualTo("rate-limited");
    now.addAndGet(100_000_000L);
    assertThat(limits.admit("a")).isInstanceOf(KeyLimits.Admitted.class);
  }

  @Test
  void shouldReadAnEndlessBodyOnlyUpToTheLimit() {
    AtomicLong read = new AtomicLong();
    InputStream endless =
        new InputStream() {
          @Override
          public int read() {
            read.incrementAndGet();
            return ' ';
          }

          @Override
          public int read(byte[] b, int off, int len) {
            java.util.Arrays.fill(b, off, off + len, (byte) ' ');
            read.addAndGet(len);
            return len;
          }
        };
    assertThatThrownBy(() -> RequestBody.readBounded(endless, -1, 4 * 1024 * 1024))
        .isInstanceOf(RequestBody.Refusal.class)
        .hasMessage("is larger than 4194304 bytes; send smaller batches");
    assertThat(read.get())
        .as("bytes read of an endless chunked body")
        .isEqualTo(4 * 1024 * 1024 + 1);
    assertThatThrownBy(() -> RequestBody.readBounded(endless, 10L * 1024 * 1024, 4 * 1024 * 1024))
        .isInstanceOf(RequestBody.Refusal.class);
    assertThat(read.get())
        .as("a declared Content-Length over the limit reads nothing")
        .isEqualTo(4 * 1024 * 1024 + 1);
  }
}
