package dev.routemetrics.query.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.events.Route;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.metrics.WindowSize;
import dev.routemetrics.query.QueryConfig;
import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.sink.ChannelMetricsWriter;
import dev.routemetrics.sink.ChannelRevenueWriter;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.migrations.Migrations;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * The query service over a known dataset on the real ClickHouse: numbers, formats, and refusals
 * (with a lab key; QueryAccessIT is about keys).
 */
class QueryServerIT {

  private static final Instant HOUR = Instant.parse("2026-11-01T10:00:00Z");
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static String database;
  private static ClickHouse clickHouse;
  private static QueryServer server;
  private static String labKey;
  private static Path keysFile;

  static ChannelWindowMetrics row(
      String channel,
      String route,
      String partner,
      int owned,
      long requests,
      long identified,
      long trainable) {
    return ChannelWindowMetrics.newBuilder()
        .setChannelId(channel)
        .setWindowSize(WindowSize.HOUR)
        .setWindowStart(HOUR)
        .setVersion(1)
        .setRoute(Route.valueOf(route))
        .setPartnerId(partner)
        .setControlPointsOwned(owned)
        .setUsageEvents(requests)
        .setRequests(requests)
        .setInputTokens(0)
        .setOutputTokens(0)
        .setActiveAccounts(1)
        .setVisibleEndUsers(0)
        .setIdentifiedRequests(identified)
        .setErrorRequests(0)
        .setLatencyP50Ms(1.0)
        .setLatencyP95Ms(2.0)
        .setLatencyP99Ms(3.0)
        .setFullTelemetryRequests(0)
        .setFeedbackEvents(trainable)
        .setTrainableFeedback(trainable)
        .setCoveredRequests(trainable)
        .setNewestEventTime(HOUR.plusSeconds(60))
        .build();
  }

  static ChannelWindowRevenue dayRevenue(
      String channel, String route, String partner, String gross, String fee, String net) {
    return ChannelWindowRevenue.newBuilder()
        .setChannelId(channel)
        .setWindowSize(WindowSize.DAY)
        .setWindowStart(Instant.parse("2026-11-02T00:00:00Z"))
        .setCurrency("USD")
        .setVersion(1)
        .setRoute(Route.valueOf(route))
        .setPartnerId(partner)
        .setBillingEvents(1)
        .setGross(new BigDecimal(gross).setScale(4))
        .setNetWhereGrossKnown(new BigDecimal(net).setScale(4))
        .setPartnerFee(new BigDecimal(fee).setScale(4))
        .setNet(new BigDecimal(net).setScale(4))
        .setNetBilledByLab(new BigDecimal(partner == null ? net : "0").setScale(4))
        .build();
  }

  @BeforeAll
  static void start() throws Exception {
    database = "it_query_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Path keys = Files.createTempDirectory("routemetrics-keys").resolve("api-keys.json");
    keysFile = keys;
    labKey = ApiKeys.add(keys, "lab", null);
    QueryConfig config =
        new QueryConfig(
            Map.of(QueryConfig.DATABASE, database, QueryConfig.API_KEYS_FILE, keys.toString()));
    clickHouse = new ClickHouse(config);
    new Migrations(clickHouse, database).apply();
    try (Connection connection = clickHouse.connect()) {
      new ChannelMetricsWriter(database)
          .insert(
              connection,
              List.of(
                  row("consumer-app", "CONSUMER_APP", null, 6, 300, 300, 60),
                  row("cloud-nimbus", "CLOUD_PARTNER", "nimbus-cloud", 0, 700, 0, 7)));
      // Day revenue on 2026-11-02 (no other test reads that day): direct 0.1 + 0.2, partner
      // 39763.58 with no fee.
      new ChannelRevenueWriter(database)
          .insert(
              connection,
              List.of(
                  dayRevenue("consumer-app", "CONSUMER_APP", null, "0.1", "0", "0.1"),
                  dayRevenue("direct-api", "DIRECT_API", null, "0.2", "0", "0.2"),
                  dayRevenue(
                      "cloud-nimbus",
                      "CLOUD_PARTNER",
                      "nimbus-cloud",
                      "39763.58",
                      "0",
                      "39763.58")));
    }
    server =
        new QueryServer(config, "127.0.0.1", 0, Clock.fixed(HOUR.plusSeconds(3600), ZoneOffset.UTC))
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + database);
    }
  }

  static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
            .header("Authorization", "Bearer " + labKey)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldServeTheDomainsWordsToTheDashboardWithoutAKey() throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/definitions.json"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode words = new ObjectMapper().readTree(response.body());
    // docs/domain.md: volume without control is a control score below 0.34; the direct routes
    // are the lab's own three; windows are minutes, hours and days.
    assertThat(words.path("low_control_score").asDouble()).isEqualTo(0.34);
    assertThat(words.path("direct_routes").toString())
        .isEqualTo("[\"CONSUMER_APP\",\"DIRECT_API\",\"ENTERPRISE_PLATFORM\"]");
    assertThat(words.path("window_sizes").toString()).isEqualTo("[\"MINUTE\",\"HOUR\",\"DAY\"]");
  }

  @Test
  void shouldServeTheLearningViewAsJson() throws Exception {
    HttpResponse<String> response =
        get("/api/learning?window=HOUR&from=2026-11-01T10:00:00Z&until=2026-11-01T11:00:00Z");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode rows = new ObjectMapper().readTree(response.body()).path("rows");
    // Sorted by channel: cloud-nimbus, consumer-app. Direct pooled rate = 60 / 300 = 0.2.
    // cloud-nimbus: rate 7/700 = 0.01, loss 1 - 0.01/0.2 = 0.95, lost 0.2 * 700 - 7 = 133.
    assertThat(rows.get(0).path("channel_id").asText()).isEqualTo("cloud-nimbus");
    assertThat(rows.get(0).path("learning_loss").asDouble())
        .isEqualTo(0.95, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(rows.get(0).path("lost_signals").asDouble())
        .isEqualTo(133.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void shouldServeCsvWithAHeader() throws Exception {
    HttpResponse<String> response =
        get(
            "/api/reach-control?window=HOUR&from=2026-11-01T10:00:00Z"
                + "&until=2026-11-01T11:00:00Z&format=csv");

    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/csv"));
    List<String> lines = response.body().lines().toList();
    assertThat(lines.get(0)).startsWith("window_start,channel_id,route,requests,request_share,");
    // cloud-nimbus has 700 of 1000 requests: share 0.7.
    assertThat(lines.get(1)).startsWith("2026-11-01T10:00:00Z,cloud-nimbus,CLOUD_PARTNER,700,0.7,");
    assertThat(lines).hasSize(3);
  }

  @Test
  void shouldRefuseBadParametersNamingThem() throws Exception {
    assertThat(get("/api/learning?window=WEEK").body())
        .contains("window: must be one of [MINUTE, HOUR, DAY], was 'WEEK'");
    assertThat(get("/api/learning?from=yesterday").body())
        .contains(
            "from: must be an ISO-8601 UTC instant such as 2026-11-01T00:00:00Z, was 'yesterday'");
    assertThat(get("/api/nonsense").statusCode()).isEqualTo(400);
    String injection = URLEncoder.encode("x' OR 1=1 --", StandardCharsets.UTF_8);
    HttpResponse<String> hostile = get("/api/learning?channel=" + injection);
    assertThat(hostile.statusCode()).isEqualTo(400);
    assertThat(hostile.body()).contains("channel: 'x' OR 1=1 --' is not a channel id");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // A year of five digits reached ClickHouse (500/503 with its host and error text).
        "from=%2B10000-01-01T00:00:00Z&until=%2B10000-02-01T00:00:00Z | from |"
            + " 2105-12-31T23:59:59Z",
        "from=2026-11-01T00:00:00Z&until=%2B10000-01-01T00:00:00Z     | until |"
            + " 2105-12-31T23:59:59Z",
        // From 2106 on ClickHouse 18.16 converts DateTime text to 0: the range silently held
        // nothing.
        "from=2026-11-01T00:00:00Z&until=2200-01-01T00:00:00Z         | until |"
            + " 2105-12-31T23:59:59Z",
        "from=2106-01-01T00:00:00Z&until=2106-02-01T00:00:00Z         | from |"
            + " 2105-12-31T23:59:59Z",
        "from=2026-11-01T00:00:00Z&until=2106-01-01T00:00:00Z         | until |"
            + " 2105-12-31T23:59:59Z",
        // Before the epoch DateTime cannot hold an instant at all.
        "from=1969-12-31T23:59:59Z&until=2026-11-01T11:00:00Z         | from |"
            + " 1970-01-01T00:00:00Z",
        "from=-1000000000-01-01T00:00:00Z&until=2026-11-01T11:00:00Z  | from |"
            + " 1970-01-01T00:00:00Z",
        "until=1969-12-31T00:00:00Z                                   | until |"
            + " 1970-01-01T00:00:00Z",
        "until=-1000000000-01-01T00:00:00Z                            | until |"
            + " 1970-01-01T00:00:00Z"
      })
  @DisplayName(
      "an instant outside what ClickHouse's DateTime stores is refused with 400 naming the"
          + " parameter and the bound")
  void shouldRefuseInstantsOutsideTheStorableRange(String query, String parameter, String bound)
      throws Exception {
    HttpResponse<String> response = get("/api/learning?window=HOUR&" + query);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    JsonNode problem = new ObjectMapper().readTree(response.body());
    assertThat(problem.path("detail").asText()).startsWith(parameter + ": ").contains(bound);
    assertThat(response.body())
        .doesNotContain("ClickHouse")
        .doesNotContain("Code:")
        .doesNotContain("127.0.0.1");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"quarantine", "substitution", "control-map"})
  @DisplayName(
      "the views added for route strategy refuse a far-past or far-future bound with 400 naming it,"
          + " as the first views do")
  void shouldRefuseUnstorableBoundsOnTheNewViewsToo(String view) throws Exception {
    for (String[] query :
        new String[][] {
          {"from=1969-12-31T23:59:59Z&until=2026-11-01T11:00:00Z", "from"},
          {"from=2026-11-01T00:00:00Z&until=%2B10000-01-01T00:00:00Z", "until"}
        }) {
      HttpResponse<String> response = get("/api/" + view + "?" + query[0]);

      assertThat(response.statusCode()).as(view + " " + response.body()).isEqualTo(400);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValue("application/problem+json");
      assertThat(new ObjectMapper().readTree(response.body()).path("detail").asText())
          .startsWith(query[1] + ": ");
    }
  }

  @Test
  @DisplayName(
      "the edges of the storable range are answered: from the epoch until the last second of 2105")
  void shouldAnswerAtTheEdgesOfTheStorableRange() throws Exception {
    HttpResponse<String> whole =
        get("/api/learning?window=HOUR&from=1970-01-01T00:00:00Z&until=2105-12-31T23:59:59Z");
    assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
    // The two channels of the 10:00 hour, nothing lost by a wrapped bound.
    assertThat(new ObjectMapper().readTree(whole.body()).path("rows")).hasSize(2);
    // A default from (24 hours before until) that would fall before the epoch starts at the epoch.
    HttpResponse<String> early = get("/api/learning?window=HOUR&until=1970-01-01T05:00:00Z");
    assertThat(early.statusCode()).as(early.body()).isEqualTo(200);
    assertThat(new ObjectMapper().readTree(early.body()).path("from").asText())
        .isEqualTo("1970-01-01T00:00:00Z");
  }

  static Stream<Arguments> brokenWarehouses() {
    return Stream.of(
        // ClickHouse answers with an error naming its own internals (a database that does not
        // exist).
        Arguments.of(
            "a query ClickHouse refuses",
            Map.of(QueryConfig.DATABASE, "it_no_such_database_x"),
            500),
        // Nothing listens: the driver's message names host and port.
        Arguments.of(
            "ClickHouse not answering",
            Map.of(
                QueryConfig.DATABASE,
                database,
                QueryConfig.CLICKHOUSE_URL,
                "jdbc:clickhouse://127.0.0.1:9/default?compress=0"),
            503));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenWarehouses")
  @DisplayName(
      "a server error answers a generic problem+json whose id is logged with the details; no"
          + " ClickHouse internals")
  void shouldHideTheWarehousesInternalsAndLogThemUnderAnId(
      String what, Map<String, String> settings, int status) throws Exception {
    Map<String, String> config = new java.util.HashMap<>(settings);
    config.put(QueryConfig.API_KEYS_FILE, keysFile.toString());
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(QueryServer.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    logger.addAppender(logged);
    try (QueryServer broken =
        new QueryServer(
                new QueryConfig(config),
                "127.0.0.1",
                0,
                Clock.fixed(HOUR.plusSeconds(3600), ZoneOffset.UTC))
            .start()) {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + broken.port()
                              + "/api/learning?window=HOUR&from=2026-11-01T10:00:00Z&until=2026-11-01T11:00:00Z"))
                  .header("Authorization", "Bearer " + labKey)
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
      assertThat(response.headers().firstValue("Content-Type"))
          .hasValue("application/problem+json");
      if (status == 503) {
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
      }
      for (String internal :
          List.of(
              "127.0.0.1",
              ":9",
              "8123",
              String.valueOf(System.getenv("CLICKHOUSE_HTTP_PORT")),
              "it_no_such_database_x",
              "SELECT",
              "FINAL",
              "Code:",
              "Exception",
              "ClickHouse",
              "clickhouse",
              "jdbc")) {
        assertThat(response.body()).as("answer to %s", what).doesNotContain(internal);
      }
      String id = new ObjectMapper().readTree(response.body()).path("id").asText();
      assertThat(id).isNotBlank();
      assertThat(response.body()).contains(id);
      assertThat(logged.list)
          .as("the log line with the details under the same id")
          .anySatisfy(
              event ->
                  assertThat(event.getFormattedMessage())
                      .contains(id)
                      .containsAnyOf(
                          "it_no_such_database_x", "127.0.0.1:9")); // the details, for the operator
    } finally {
      logger.detachAppender(logged);
    }
  }

  @Test
  @DisplayName(
      "money leaves as the exact decimal in a JSON string: 0.1 + 0.2 is 0.3000, not"
          + " 0.30000000000000004")
  void shouldServeMoneyAsExactDecimalStrings() throws Exception {
    HttpResponse<String> response =
        get(
            "/api/finance?period=DAY&window=DAY&from=2026-11-02T00:00:00Z"
                + "&until=2026-11-03T00:00:00Z");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    // Direct: gross 0.1 + 0.2 = 0.3, no fee, net 0.3. Partner: 39763.58, fee 0, net 39763.58.
    assertThat(response.body())
        .contains(
            "\"side\":\"direct\",\"billing_events\":2,\"gross\":\"0.3000\",\"partner_fee\":\"0.0000\","
                + "\"net\":\"0.3000\",\"net_billed_by_lab\":\"0.3000\"")
        .contains(
            "\"side\":\"partner\",\"billing_events\":1,\"gross\":\"39763.5800\",\"partner_fee\":\"0.0000\","
                + "\"net\":\"39763.5800\",\"net_billed_by_lab\":\"0.0000\"");

    // The CSV has the same exact decimals, as numbers.
    List<String> csv =
        get("/api/finance?period=DAY&window=DAY&from=2026-11-02T00:00:00Z&until=2026-11-03T00:00:00Z"
                + "&format=csv")
            .body()
            .lines()
            .toList();
    assertThat(csv.get(0))
        .isEqualTo(
            "period_start,currency,side,billing_events,gross,partner_fee,net,net_billed_by_lab,"
                + "partner_take,capture_rate");
    assertThat(csv.get(1))
        .startsWith("2026-11-02T00:00:00Z,USD,direct,2,0.3000,0.0000,0.3000,0.3000,");
    assertThat(csv.get(2))
        .startsWith("2026-11-02T00:00:00Z,USD,partner,1,39763.5800,0.0000,39763.5800,0.0000,");
  }
}
