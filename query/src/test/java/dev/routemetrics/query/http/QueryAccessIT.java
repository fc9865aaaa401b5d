package dev.routemetrics.query.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.events.BilledBy;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.BillingKind;
import dev.routemetrics.events.Route;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.metrics.WindowSize;
import dev.routemetrics.query.QueryConfig;
import dev.routemetrics.query.RevenueRows;
import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.sink.ChannelMetricsWriter;
import dev.routemetrics.sink.ChannelRevenueWriter;
import dev.routemetrics.sink.Located;
import dev.routemetrics.sink.RawEventsWriters;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.migrations.Migrations;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may read what through the query service, on the real ClickHouse with the built-in channel
 * registry (cloud-nimbus belongs to partner nimbus-cloud, cloud-stratus to stratus-cloud,
 * direct-api and consumer-app are the lab's own). One hour, 2026-11-01 10:00 UTC:
 *
 * <pre>
 * channel        route          partner        requests errors trainable | gross  fee  net  (USD)
 * direct-api     DIRECT_API     –              400      4      40        | 500    0    500
 * consumer-app   CONSUMER_APP   –              100      0      20        | –
 * cloud-nimbus   CLOUD_PARTNER  nimbus-cloud   300      30     3         | 1000   300  700
 * cloud-stratus  CLOUD_PARTNER  stratus-cloud  200      2      10        | 400    80   320
 * </pre>
 *
 * Partner statements for that hour: nimbus reports 330 requests and 700 net, stratus 200 and 300.
 */
class QueryAccessIT {

  private static final Instant HOUR = Instant.parse("2026-11-01T10:00:00Z");
  private static final String RANGE =
      "window=HOUR&from=2026-11-01T10:00:00Z&until=2026-11-01T11:00:00Z";
  private static final List<String> CHANNELS =
      List.of("direct-api", "consumer-app", "cloud-nimbus", "cloud-stratus");

  /** The views a partner reads, over its own rows. */
  private static final List<String> PARTNER_VIEWS =
      List.of("health", "learning", "finance", "reconciliation", "trend");

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String database;
  private static ClickHouse clickHouse;
  private static QueryServer server;
  private static Path keyFile;
  private static String labKey;
  private static String nimbusKey;
  private static String stratusKey;

  @BeforeAll
  static void start() throws Exception {
    database = "it_access_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    keyFile = Files.createTempDirectory("routemetrics-keys").resolve("api-keys.json");
    labKey = ApiKeys.add(keyFile, "finance", null);
    nimbusKey = ApiKeys.add(keyFile, "nimbus-portal", "nimbus-cloud");
    stratusKey = ApiKeys.add(keyFile, "stratus-portal", "stratus-cloud");
    QueryConfig config =
        new QueryConfig(
            Map.of(QueryConfig.DATABASE, database, QueryConfig.API_KEYS_FILE, keyFile.toString()));
    clickHouse = new ClickHouse(config);
    new Migrations(clickHouse, database).apply();
    try (Connection connection = clickHouse.connect()) {
      new ChannelMetricsWriter(database)
          .insert(
              connection,
              List.of(
                  metrics("direct-api", "DIRECT_API", null, 400, 4, 40),
                  metrics("consumer-app", "CONSUMER_APP", null, 100, 0, 20),
                  metrics("cloud-nimbus", "CLOUD_PARTNER", "nimbus-cloud", 300, 30, 3),
                  metrics("cloud-stratus", "CLOUD_PARTNER", "stratus-cloud", 200, 2, 10)));
      new ChannelRevenueWriter(database)
          .insert(
              connection,
              List.of(
                  revenue("direct-api", "DIRECT_API", null, "500", "0", "500", "500"),
                  revenue(
                      "cloud-nimbus", "CLOUD_PARTNER", "nimbus-cloud", "1000", "300", "700", "0"),
                  revenue(
                      "cloud-stratus", "CLOUD_PARTNER", "stratus-cloud", "400", "80", "320", "0")));
      RawEventsWriters.billing(database)
          .insert(
              connection,
              Located.inOrder(
                  "billing-events",
                  List.of(
                      statement("cloud-nimbus", "nimbus-2026-11-01T10", 330, "700"),
                      statement("cloud-stratus", "stratus-2026-11-01T10", 200, "300"))));
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

  static ChannelWindowMetrics metrics(
      String channel, String route, String partner, long requests, long errors, long trainable) {
    return ChannelWindowMetrics.newBuilder()
        .setChannelId(channel)
        .setWindowSize(WindowSize.HOUR)
        .setWindowStart(HOUR)
        .setVersion(1)
        .setRoute(Route.valueOf(route))
        .setPartnerId(partner)
        .setControlPointsOwned(partner == null ? 6 : 0)
        .setUsageEvents(requests)
        .setRequests(requests)
        .setInputTokens(0)
        .setOutputTokens(0)
        .setActiveAccounts(1)
        .setVisibleEndUsers(0)
        .setIdentifiedRequests(partner == null ? requests : 0)
        .setErrorRequests(errors)
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

  static ChannelWindowRevenue revenue(
      String channel,
      String route,
      String partner,
      String gross,
      String fee,
      String net,
      String billedByLab) {
    return RevenueRows.revenue(
        "HOUR", HOUR, channel, route, partner, 1, gross, fee, net, billedByLab);
  }

  static BillingEvent statement(
      String channel, String billingId, long reportedRequests, String net) {
    return BillingEvent.newBuilder()
        .setEventId("stmt-" + channel)
        .setEventTime(HOUR.plusSeconds(3600))
        .setChannelId(channel)
        .setAccountId(channel)
        .setEndUserRef(null)
        .setModelId("*")
        .setBillingId(billingId)
        .setKind(BillingKind.PARTNER_STATEMENT)
        .setBilledBy(BilledBy.PARTNER)
        .setCurrency("USD")
        .setGrossAmount(null)
        .setPartnerFee(money("0"))
        .setNetAmount(money(net))
        .setPeriodStart(HOUR)
        .setPeriodEnd(HOUR.plusSeconds(3600))
        .setReportedRequestCount(reportedRequests)
        .build();
  }

  static BigDecimal money(String amount) {
    return RevenueRows.money(amount);
  }

  static HttpResponse<String> get(String pathAndQuery, String key) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode rows(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).path("rows");
  }

  static List<String> channelsOf(JsonNode rows) {
    List<String> channels = new ArrayList<>();
    rows.forEach(row -> channels.add(row.path("channel_id").asText()));
    return channels;
  }

  static Stream<Arguments> partnerReads() {
    List<Arguments> reads = new ArrayList<>();
    for (String view : PARTNER_VIEWS) {
      for (String format : List.of("json", "csv")) {
        reads.add(Arguments.of("nimbus-cloud", view, format, "cloud-nimbus"));
        reads.add(Arguments.of("stratus-cloud", view, format, "cloud-stratus"));
      }
    }
    return reads.stream();
  }

  private static String keyOf(String partner) {
    return partner.equals("nimbus-cloud") ? nimbusKey : stratusKey;
  }

  @ParameterizedTest(name = "{0} reads {1} as {2}: only {3}")
  @MethodSource("partnerReads")
  @DisplayName(
      "a partner's key never sees another channel's rows or name, on any view, JSON or CSV")
  void shouldShowAPartnerOnlyItsOwnChannel(String partner, String view, String format, String own)
      throws Exception {
    HttpResponse<String> response =
        get("/api/" + view + "?" + RANGE + "&period=DAY&format=" + format, keyOf(partner));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    for (String channel : CHANNELS) {
      if (!channel.equals(own)) {
        assertThat(response.body()).as("%s's %s answer", partner, view).doesNotContain(channel);
      }
    }
    if (format.equals("csv")) {
      List<String> lines = response.body().lines().toList();
      // Every data line is the partner's (finance rows name no channel: it has one, the partner
      // side).
      assertThat(lines).hasSize(2);
      assertThat(lines.get(1)).contains(view.equals("finance") ? "partner" : own);
    } else {
      JsonNode rows = JSON.readTree(response.body()).path("rows");
      assertThat(rows).hasSize(1);
      if (!view.equals("finance")) {
        assertThat(channelsOf(rows)).containsExactly(own);
      }
    }
  }

  @Test
  @DisplayName("health: each partner its own channel, the lab all four")
  void shouldFilterHealthToThePartnersChannel() throws Exception {
    JsonNode nimbus = rows(get("/api/health?" + RANGE, nimbusKey));
    assertThat(channelsOf(nimbus)).containsExactly("cloud-nimbus");
    assertThat(nimbus.get(0).path("requests").asLong()).isEqualTo(300);
    assertThat(nimbus.get(0).path("error_rate").asDouble())
        .isCloseTo(0.1, within(1e-12)); // 30 / 300

    JsonNode stratus = rows(get("/api/health?" + RANGE, stratusKey));
    assertThat(channelsOf(stratus)).containsExactly("cloud-stratus");
    assertThat(stratus.get(0).path("error_rate").asDouble())
        .isCloseTo(0.01, within(1e-12)); // 2 / 200

    // The lab: sorted by route, then channel.
    assertThat(channelsOf(rows(get("/api/health?" + RANGE, labKey))))
        .containsExactly("cloud-nimbus", "cloud-stratus", "consumer-app", "direct-api");
  }

  @Test
  @DisplayName(
      "learning: a partner sees its own rates; what is measured against the lab's direct routes is"
          + " null")
  void shouldComputeLearningOverThePartnersRowsOnly() throws Exception {
    JsonNode nimbus = rows(get("/api/learning?" + RANGE, nimbusKey));
    assertThat(channelsOf(nimbus)).containsExactly("cloud-nimbus");
    JsonNode row = nimbus.get(0);
    assertThat(row.path("requests").asLong()).isEqualTo(300);
    assertThat(row.path("trainable_rate").asDouble()).isCloseTo(0.01, within(1e-12)); // 3 / 300
    // Over the partner's rows alone there is no direct route: the lab's direct rate stays the
    // lab's.
    assertThat(row.path("direct_trainable_rate").isNull()).isTrue();
    assertThat(row.path("learning_loss").isNull()).isTrue();
    assertThat(row.path("lost_signals").isNull()).isTrue();

    // The lab's view of the same row: direct pooled = (40 + 20) / (400 + 100) = 0.12;
    // loss = 1 − 0.01 / 0.12 = 0.91666…; lost = 0.12 × 300 − 3 = 33.
    JsonNode lab = rows(get("/api/learning?" + RANGE + "&channel=cloud-nimbus", labKey)).get(0);
    assertThat(lab.path("direct_trainable_rate").asDouble()).isCloseTo(0.12, within(1e-12));
    assertThat(lab.path("learning_loss").asDouble()).isCloseTo(1 - 0.01 / 0.12, within(1e-12));
    assertThat(lab.path("lost_signals").asDouble()).isCloseTo(33.0, within(1e-9));
  }

  @Test
  @DisplayName(
      "finance: a partner gets its own partner-side totals, never the lab's direct revenue or other"
          + " partners'")
  void shouldComputeFinanceOverThePartnersRowsOnly() throws Exception {
    String query = "/api/finance?" + RANGE + "&period=DAY";
    // nimbus: gross 1000, fee 300, net 700; take 300 / 1000 = 0.3, capture 700 / 1000 = 0.7.
    assertFinance(
        rows(get(query, nimbusKey)),
        List.of(List.of("partner", "1000", "300", "700", "0.3", "0.7")));
    // stratus: 400, 80, 320; take 80 / 400 = 0.2, capture 320 / 400 = 0.8.
    assertFinance(
        rows(get(query, stratusKey)),
        List.of(List.of("partner", "400", "80", "320", "0.2", "0.8")));
    // The lab: direct 500 / 0 / 500; partner 1000 + 400 = 1400, 300 + 80 = 380, 700 + 320 = 1020,
    // take 380 / 1400, capture 1020 / 1400.
    assertFinance(
        rows(get(query, labKey)),
        List.of(
            List.of("direct", "500", "0", "500", "0", "1"),
            List.of(
                "partner",
                "1400",
                "380",
                "1020",
                String.valueOf(380.0 / 1400),
                String.valueOf(1020.0 / 1400))));
  }

  private static void assertFinance(JsonNode rows, List<List<String>> expected) {
    assertThat(rows).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      JsonNode row = rows.get(i);
      List<String> want = expected.get(i);
      assertThat(row.path("period_start").asText()).isEqualTo("2026-11-01T00:00:00Z");
      assertThat(row.path("currency").asText()).isEqualTo("USD");
      assertThat(row.path("side").asText()).isEqualTo(want.get(0));
      // Money is a JSON string of the exact decimal at four places, never a floating-point number.
      for (String field : List.of("gross", "partner_fee", "net", "net_billed_by_lab")) {
        assertThat(row.path(field).isTextual()).as("%s is a string: %s", field, row).isTrue();
      }
      assertThat(row.path("gross").asText()).isEqualTo(want.get(1) + ".0000");
      assertThat(row.path("partner_fee").asText()).isEqualTo(want.get(2) + ".0000");
      assertThat(row.path("net").asText()).isEqualTo(want.get(3) + ".0000");
      assertThat(row.path("partner_take").asDouble())
          .isCloseTo(Double.parseDouble(want.get(4)), within(1e-12));
      assertThat(row.path("capture_rate").asDouble())
          .isCloseTo(Double.parseDouble(want.get(5)), within(1e-12));
    }
  }

  @Test
  @DisplayName("reconciliation: a partner checks its own statement against what was metered for it")
  void shouldReconcileOnlyThePartnersOwnStatements() throws Exception {
    JsonNode nimbus = rows(get("/api/reconciliation?" + RANGE, nimbusKey));
    assertThat(channelsOf(nimbus)).containsExactly("cloud-nimbus");
    // Reported 330 against 300 metered: (330 − 300) / 300 = +10%; net 700 against 700: 0%.
    assertThat(nimbus.get(0).path("billing_id").asText()).isEqualTo("nimbus-2026-11-01T10");
    assertThat(nimbus.get(0).path("metered_requests").asLong()).isEqualTo(300);
    assertThat(nimbus.get(0).path("request_gap_percent").asDouble()).isCloseTo(10.0, within(1e-9));
    assertThat(nimbus.get(0).path("net_gap_percent").asDouble()).isCloseTo(0.0, within(1e-9));
    assertThat(nimbus.get(0).path("reported_net").asText()).isEqualTo("700.0000");
    assertThat(nimbus.get(0).path("metered_net").asText()).isEqualTo("700.0000");

    JsonNode stratus = rows(get("/api/reconciliation?" + RANGE, stratusKey));
    assertThat(channelsOf(stratus)).containsExactly("cloud-stratus");
    // Reported 200 against 200: 0%; net 300 against 320 metered: (300 − 320) / 320 = −6.25%.
    assertThat(stratus.get(0).path("request_gap_percent").asDouble()).isCloseTo(0.0, within(1e-9));
    assertThat(stratus.get(0).path("net_gap_percent").asDouble()).isCloseTo(-6.25, within(1e-9));
    assertThat(stratus.get(0).path("reported_net").asText()).isEqualTo("300.0000");
    assertThat(stratus.get(0).path("metered_net").asText()).isEqualTo("320.0000");

    assertThat(channelsOf(rows(get("/api/reconciliation?" + RANGE, labKey))))
        .containsExactly("cloud-nimbus", "cloud-stratus");
  }

  @Test
  @DisplayName(
      "trend: the lab sees every channel's line with its share of all requests; a partner its own,"
          + " without share")
  void shouldServeTheTrendPerChannelAndScopeItToAPartner() throws Exception {
    JsonNode lab = rows(get("/api/trend?" + RANGE, labKey));
    // Sorted by window, then channel. 1000 requests in the hour.
    assertThat(channelsOf(lab))
        .containsExactly("cloud-nimbus", "cloud-stratus", "consumer-app", "direct-api");
    JsonNode nimbus = lab.get(0);
    assertThat(nimbus.path("window_start").asText()).isEqualTo("2026-11-01T10:00:00Z");
    assertThat(nimbus.path("requests").asLong()).isEqualTo(300);
    assertThat(nimbus.path("request_share").asDouble()).isCloseTo(0.3, within(1e-12)); // 300 / 1000
    assertThat(nimbus.path("error_rate").asDouble()).isCloseTo(0.1, within(1e-12)); // 30 / 300
    assertThat(nimbus.path("latency_p95_ms").asDouble()).isEqualTo(2.0);
    assertThat(lab.get(3).path("request_share").asDouble())
        .isCloseTo(0.4, within(1e-12)); // direct-api 400 / 1000
    assertThat(lab.get(3).path("error_rate").asDouble()).isCloseTo(0.01, within(1e-12)); // 4 / 400
    // A channel filter picks a line out; its share stays of all channels.
    JsonNode filtered = rows(get("/api/trend?" + RANGE + "&channel=cloud-stratus", labKey));
    assertThat(channelsOf(filtered)).containsExactly("cloud-stratus");
    assertThat(filtered.get(0).path("request_share").asDouble())
        .isCloseTo(0.2, within(1e-12)); // 200 / 1000

    JsonNode partner = rows(get("/api/trend?" + RANGE, nimbusKey));
    assertThat(channelsOf(partner)).containsExactly("cloud-nimbus");
    assertThat(partner.get(0).path("requests").asLong()).isEqualTo(300);
    assertThat(partner.get(0).path("error_rate").asDouble()).isCloseTo(0.1, within(1e-12));
    // Share compares the partner with every other route: not the partner's to read.
    assertThat(partner.get(0).path("request_share").isNull()).isTrue();
  }

  @Test
  @DisplayName(
      "reach-control and alerts compare partners: a partner's key gets 403, the lab's reads them")
  void shouldRefuseTheCrossPartnerViewsToAPartner() throws Exception {
    for (String path :
        List.of(
            "/api/reach-control?" + RANGE,
            "/api/reach-control?" + RANGE + "&format=csv",
            "/api/alerts")) {
      HttpResponse<String> refused = get(path, nimbusKey);
      assertThat(refused.statusCode()).as(path).isEqualTo(403);
      assertThat(refused.body())
          .contains("Forbidden view")
          .contains("a partner's key may not read");
      CHANNELS.forEach(channel -> assertThat(refused.body()).doesNotContain(channel));
    }
    // The lab: request share over all four, 1000 requests: nimbus 300 / 1000 = 0.3.
    JsonNode reach = rows(get("/api/reach-control?" + RANGE + "&channel=cloud-nimbus", labKey));
    assertThat(reach.get(0).path("request_share").asDouble()).isCloseTo(0.3, within(1e-12));
    assertThat(reach.get(0).path("net_revenue").path("USD").asText()).isEqualTo("700.0000");
  }

  static Stream<Arguments> views() {
    return Stream.of("health", "learning", "finance", "reconciliation", "reach-control", "trend")
        .flatMap(view -> Stream.of(Arguments.of(view, "json"), Arguments.of(view, "csv")));
  }

  @ParameterizedTest(name = "{0} as {1}")
  @MethodSource("views")
  @DisplayName("another partner's channel is answered exactly like a channel that does not exist")
  void shouldAnswerAForeignChannelLikeAnUnknownOne(String view, String format) throws Exception {
    String query = "/api/" + view + "?" + RANGE + "&format=" + format + "&channel=";
    HttpResponse<String> foreign = get(query + "cloud-stratus", nimbusKey);
    HttpResponse<String> unknown = get(query + "no-such-channel", nimbusKey);
    HttpResponse<String> mixed = get(query + "cloud-nimbus,cloud-stratus", nimbusKey);

    assertThat(foreign.statusCode())
        .isEqualTo(403)
        .isEqualTo(unknown.statusCode())
        .isEqualTo(mixed.statusCode());
    assertThat(foreign.headers().firstValue("Content-Type"))
        .isEqualTo(unknown.headers().firstValue("Content-Type"));
    // Word for word, but for the name the caller itself sent.
    assertThat(foreign.body().replace("cloud-stratus", "<channel>"))
        .isEqualTo(unknown.body().replace("no-such-channel", "<channel>"))
        .isEqualTo(mixed.body().replace("cloud-stratus", "<channel>"));
    assertThat(unknown.body()).doesNotContain("stratus-cloud").doesNotContain("direct-api");
  }

  @Test
  @DisplayName(
      "without a valid key: 401 on every /api path, before any parameter is read, naming no"
          + " channel")
  void shouldAnswer401WithoutAValidKeyAndNameNoChannel() throws Exception {
    List<String> paths = new ArrayList<>();
    for (String view :
        List.of(
            "health",
            "reach-control",
            "learning",
            "finance",
            "reconciliation",
            "trend",
            "nonsense")) {
      paths.add("/api/" + view + "?" + RANGE);
      paths.add("/api/" + view + "?" + RANGE + "&format=csv&channel=cloud-nimbus");
      paths.add("/api/" + view + "?window=WEEK&channel=x%27%20OR%201%3D1");
    }
    paths.add("/api/alerts");
    HttpResponse<String> first = null;
    for (String path : paths) {
      for (String key : Stream.of(null, "", "rm_not-a-key", labKey + "x").toList()) {
        HttpResponse<String> response = get(path, key);
        assertThat(response.statusCode()).as("%s with key '%s'", path, key).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        CHANNELS.forEach(channel -> assertThat(response.body()).as(path).doesNotContain(channel));
        if (first != null) {
          assertThat(response.body())
              .as("the same answer whatever was asked")
              .isEqualTo(first.body());
        }
        first = response;
      }
    }
    assertThat(JSON.readTree(first.body()).path("detail").asText()).contains("API key is required");
    // X-Api-Key works like the ingest's.
    HttpResponse<String> viaHeader =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/api/health?" + RANGE))
                .header("X-Api-Key", nimbusKey)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(channelsOf(rows(viaHeader))).containsExactly("cloud-nimbus");
  }

  @Test
  @DisplayName("the dashboard page and /health load without a key and carry no channel")
  void shouldServeTheDashboardShellWithoutAKey() throws Exception {
    for (String path : List.of("/", "/dashboard.js", "/health")) {
      HttpResponse<String> response = get(path, null);
      assertThat(response.statusCode()).as(path).isEqualTo(200);
      CHANNELS.forEach(channel -> assertThat(response.body()).as(path).doesNotContain(channel));
    }
  }

  @Test
  @DisplayName("keys are added, rotated and revoked in the file while the service runs")
  void shouldTakeRotationAndRevocationWithoutARestart() throws Exception {
    String health = "/api/health?" + RANGE;
    String first = ApiKeys.add(keyFile, "nimbus-rotating", "nimbus-cloud");
    assertThat(channelsOf(rows(get(health, first))))
        .as("a key added while running")
        .containsExactly("cloud-nimbus");

    String second = ApiKeys.add(keyFile, "nimbus-rotating", "nimbus-cloud");
    assertThat(get(health, first).statusCode()).as("the key rotated away").isEqualTo(401);
    assertThat(channelsOf(rows(get(health, second))))
        .as("its replacement")
        .containsExactly("cloud-nimbus");

    assertThat(ApiKeys.revoke(keyFile, "nimbus-rotating")).isTrue();
    assertThat(get(health, second).statusCode()).as("a revoked key").isEqualTo(401);
    assertThat(get(health, nimbusKey).statusCode()).as("the partner's other key").isEqualTo(200);
  }
}
