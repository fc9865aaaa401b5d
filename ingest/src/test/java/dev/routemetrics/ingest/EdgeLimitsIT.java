package dev.routemetrics.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.schemas.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The findings of issue 20 at the HTTP edge, each as a client sent it, against the real broker:
 * what used to answer 500, 202 or an HTML page now answers a 4xx problem+json naming the field and
 * the limit, and nothing the edge held for a refused request stays held.
 */
class EdgeLimitsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int MAX_IN_FLIGHT = 1_000;
  private static IngestServer server;
  private static Topics topics;
  private static String key;
  private static String bootstrap;

  @BeforeAll
  static void start() throws Exception {
    String namespace = "it-edge-" + System.currentTimeMillis() + ".";
    topics = new Topics(namespace);
    Path keys = Files.createTempDirectory("edge-it").resolve("api-keys.json");
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
                IngestConfig.MAX_IN_FLIGHT_EVENTS,
                String.valueOf(MAX_IN_FLIGHT),
                IngestConfig.ACK_TIMEOUT_MS,
                "5000"));
    bootstrap = config.getString(IngestConfig.KAFKA_BOOTSTRAP);
    server = new IngestServer(config).start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  static ObjectNode usage(String id) {
    return JSON.createObjectNode()
        .put("event_id", id)
        .put("event_time", Instant.now().minusSeconds(60).toString())
        .put("channel_id", "direct-api")
        .put("account_id", "acct-1")
        .putNull("end_user_ref")
        .put("model_id", "m")
        .put("request_id", "req-" + id)
        .put("request_count", 1)
        .put("input_tokens", 10)
        .put("output_tokens", 5)
        .put("latency_ms", 100)
        .put("outcome", "SUCCESS")
        .put("telemetry", "FULL");
  }

  static ObjectNode charge(String id) {
    return JSON.createObjectNode()
        .put("event_id", id)
        .put("event_time", Instant.now().minusSeconds(60).toString())
        .put("channel_id", "direct-api")
        .put("account_id", "acct-1")
        .putNull("end_user_ref")
        .put("model_id", "m")
        .put("billing_id", "inv-" + id)
        .put("kind", "CHARGE")
        .put("billed_by", "LAB")
        .put("currency", "USD")
        .put("gross_amount", "10.0000")
        .put("partner_fee", "0")
        .put("net_amount", "10.0000")
        .put("period_start", "2026-11-01T00:00:00Z")
        .put("period_end", "2026-11-01T01:00:00Z");
  }

  static HttpResponse<String> post(String family, byte[] body, String contentType)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri("/v1/events/" + family))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + key)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String family, String body) throws Exception {
    return post(family, body.getBytes(StandardCharsets.UTF_8), "application/json");
  }

  /** Asserts a problem+json answer of that status naming that field, and returns it. */
  static JsonNode problem(HttpResponse<String> response, int status, String field)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
    JsonNode problem = JSON.readTree(response.body());
    assertThat(problem.path("status").asInt()).isEqualTo(status);
    assertThat(problem.path("errors").findValuesAsText("field"))
        .as(response.body())
        .contains(field);
    return problem;
  }

  @Test
  void shouldRefuseAYearThatOverflowsAndKeepNoPermitForIt() throws Exception {
    // Before: 500 "Server Error" (text/plain) and the 1,000 permits never came back: the next event
    // got 429.
    ArrayNode batch = JSON.createArrayNode();
    for (int i = 0; i < MAX_IN_FLIGHT; i++) {
      batch.add(usage("overflow-" + i).put("event_time", "-1000000000-01-01T00:00:00Z"));
    }
    JsonNode refused = problem(post("usage", batch.toString()), 400, "event_time");
    assertThat(refused.path("errors").get(0).path("problem").asText())
        .isEqualTo(
            "must not be before 2000-01-01T00:00:00Z (the earliest time the pipeline stores), was"
                + " -1000000000-01-01T00:00:00Z");

    ArrayNode full = JSON.createArrayNode();
    for (int i = 0; i < MAX_IN_FLIGHT; i++) {
      full.add(usage("after-overflow-" + i));
    }
    assertThat(post("usage", full.toString()).statusCode())
        .as("every permit is free again")
        .isEqualTo(202);
  }

  @Test
  void shouldSayExactlyWhichEventsOfABatchWereStored() throws Exception {
    // Before: 500 publish-failed "Resend" naming the broker, though the two valid events were
    // stored.
    ArrayNode batch =
        JSON.createArrayNode()
            .add(usage("exact-1"))
            .add(usage("exact-1969").put("event_time", "1969-12-31T23:59:59Z"))
            .add(usage("exact-2"));
    HttpResponse<String> response = post("usage", batch.toString());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(207);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.path("accepted").asInt()).isEqualTo(2);
    assertThat(body.path("rejected").asInt()).isEqualTo(1);
    assertThat(body.path("accepted_indexes").toString()).isEqualTo("[0,2]");
    assertThat(body.path("event_ids").toString()).isEqualTo("[\"exact-1\",\"exact-2\"]");
    assertThat(body.path("errors").get(0).path("index").asInt()).isEqualTo(1);
    assertThat(body.path("errors").get(0).path("field").asText()).isEqualTo("event_time");
    assertThat(response.body()).doesNotContain(bootstrap).doesNotContainIgnoringCase("resend");
    assertThat(UsageTopic.eventIds(topics.usageEvents, bootstrap))
        .contains("exact-1", "exact-2")
        .doesNotContain("exact-1969");
  }

  @Test
  void shouldRefuseAChunkedBodyOverTheLimitWithoutReadingIt() throws Exception {
    // Before: a chunked 10 MB body was read whole (a 10 MB event array was accepted, 300 MB ran the
    // heap out).
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/events/usage HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                  + key
                  + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[64 * 1024];
      java.util.Arrays.fill(chunk, (byte) ' ');
      chunk[0] = '[';
      long sent = 0;
      try {
        while (sent < 10L * 1024 * 1024) {
          out.write(
              (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.write(chunk);
          out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
          chunk[0] = ' ';
          sent += chunk.length;
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (java.io.IOException closedByTheServer) {
        // The edge answered and closed before the client finished: what a bounded read looks like.
      }
      String answer = readAnswer(socket.getInputStream());
      assertThat(answer).startsWith("HTTP/1.1 413");
      assertThat(answer)
          .contains("Content-Type: application/problem+json")
          .contains("\"status\":413")
          .contains("is larger than 4194304 bytes");
    }
  }

  private static String readAnswer(InputStream in) throws Exception {
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        answer.write(buffer, 0, n);
        if (answer.toString(StandardCharsets.UTF_8).contains("}")) {
          break;
        }
      }
    } catch (java.net.SocketException reset) {
      // the server closed the connection after its answer
    }
    return answer.toString(StandardCharsets.UTF_8);
  }

  @Test
  void shouldTakeExactlyOneStrictJsonValuePerBody() throws Exception {
    // Before: each of these was accepted (202); the second document was silently dropped.
    String one = usage("strict-1").toString();
    problem(post("usage", one + usage("strict-2")), 400, "$");
    problem(post("usage", one + " xyz"), 400, "$");
    JsonNode duplicate =
        problem(
            post(
                "usage",
                one.replace(
                    "\"event_id\":\"strict-1\"",
                    "\"event_id\":\"strict-1\",\"event_id\":\"strict-1-again\"")),
            400,
            "$");
    assertThat(duplicate.path("detail").asText()).contains("Duplicate field 'event_id'");
    // UTF-8 that encodes a surrogate (ED A0 80), and a byte that starts no UTF-8 sequence: refused,
    // not rewritten.
    for (byte[] bad : new byte[][] {{(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}}) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.write(one.replace("strict-1", "strict-utf8-").getBytes(StandardCharsets.UTF_8));
      byte[] bytes = body.toByteArray();
      int at =
          new String(bytes, StandardCharsets.UTF_8).indexOf("strict-utf8-")
              + "strict-utf8-".length();
      ByteArrayOutputStream spliced = new ByteArrayOutputStream();
      spliced.write(bytes, 0, at);
      spliced.write(bad);
      spliced.write(bytes, at, bytes.length - at);
      JsonNode refused =
          problem(post("usage", spliced.toByteArray(), "application/json"), 400, "$");
      assertThat(refused.path("detail").asText()).contains("UTF-8");
    }
    problem(post("usage", one.replace("strict-1", "strict-\\ud800")), 400, "event_id");
    problem(post("usage", one.replace("strict-1", "strict-\\u0000")), 400, "event_id");
    for (String type :
        new String[] {
          null,
          "text/plain",
          "application/x-www-form-urlencoded",
          "application/json; charset=ISO-8859-1"
        }) {
      problem(post("usage", one.getBytes(StandardCharsets.UTF_8), type), 415, "Content-Type");
    }
    assertThat(
            post("usage", one.getBytes(StandardCharsets.UTF_8), "application/json; charset=UTF-8")
                .statusCode())
        .isEqualTo(202);
    assertThat(UsageTopic.eventIds(topics.usageEvents, bootstrap))
        .contains("strict-1")
        .doesNotContain("strict-2", "strict-1-again", "strict-?", "strict-\u0000");
  }

  @Test
  void shouldRefuseMoneyCurrenciesAndFeesTheContractForbids() throws Exception {
    // Before: every one of these was accepted (202).
    problem(
        post(
            "billing",
            charge("m-exp").put("net_amount", "1E+3").put("gross_amount", "1000").toString()),
        400,
        "net_amount");
    problem(
        post("billing", charge("m-space").put("net_amount", " 10.00 ").toString()),
        400,
        "net_amount");
    problem(
        post("billing", charge("m-fee").put("partner_fee", "20").put("net_amount", "0").toString()),
        400,
        "partner_fee");
    problem(
        post(
            "billing",
            charge("m-big")
                .put("gross_amount", "99999999999999.9999")
                .put("net_amount", "99999999999999.9999")
                .toString()),
        400,
        "gross_amount");
    for (String code : new String[] {"XXX", "XTS", "XAU", "DEM", "ZWD"}) {
      problem(
          post("billing", charge("m-" + code).put("currency", code).toString()), 400, "currency");
    }
    problem(
        post("usage", usage("t-big").put("input_tokens", Long.MAX_VALUE).toString()),
        400,
        "input_tokens");
    problem(
        post("usage", usage("t-count").put("request_count", Integer.MAX_VALUE).toString()),
        400,
        "request_count");
  }

  @Test
  void shouldAnswerJettysOwnRefusalsAsProblemJson() throws Exception {
    // Before: text/html "Bad Message 414" / "Bad Message 431" / "Bad Message 400".
    HttpResponse<String> longUri =
        HTTP.send(
            HttpRequest.newBuilder(uri("/v1/events/usage?x=" + "a".repeat(20_000))).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(longUri.statusCode()).isEqualTo(414);
    assertThat(longUri.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(JSON.readTree(longUri.body()).path("status").asInt()).isEqualTo(414);

    HttpResponse<String> bigHeader =
        HTTP.send(
            HttpRequest.newBuilder(uri("/health")).header("X-Big", "a".repeat(20_000)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(bigHeader.statusCode()).isEqualTo(431);
    assertThat(bigHeader.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(JSON.readTree(bigHeader.body()).path("status").asInt()).isEqualTo(431);

    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(
              "GET /he\u0001alth HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = readAnswer(socket.getInputStream());
      assertThat(answer)
          .startsWith("HTTP/1.1 400")
          .contains("Content-Type: application/problem+json")
          .contains("\"status\":400");
    }

    HttpResponse<String> nowhere =
        HTTP.send(
            HttpRequest.newBuilder(uri("/nowhere")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(nowhere.statusCode()).isEqualTo(404);
    assertThat(nowhere.headers().firstValue("Content-Type")).hasValue("application/problem+json");
  }
}
