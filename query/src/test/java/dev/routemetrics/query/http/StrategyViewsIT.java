package dev.routemetrics.query.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.query.QueryConfig;
import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.registry.ChannelRegistryPublisher;
import dev.routemetrics.sink.ChannelMetricsWriter;
import dev.routemetrics.sink.ChannelRegistryWriter;
import dev.routemetrics.sink.ChannelRevenueWriter;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.migrations.Migrations;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The route-strategy views over HTTP on the real ClickHouse: the same hour as {@link QueryAccessIT}
 * (2026-11-01 10:00 UTC):
 *
 * <pre>
 * channel        route          cp  requests identified trainable | gross  fee  net  (USD, lab-billed: direct only)
 * direct-api     DIRECT_API     6   400      400        40        | 500    0    500
 * consumer-app   CONSUMER_APP   6   100      100        20        | –
 * cloud-nimbus   CLOUD_PARTNER  0   300      0          3         | 1000   300  700
 * cloud-stratus  CLOUD_PARTNER  0   200      0          10        | 400    80   320
 * </pre>
 */
class StrategyViewsIT {

  private static final Instant HOUR = Instant.parse("2026-11-01T10:00:00Z");
  private static final String RANGE =
      "window=HOUR&from=2026-11-01T10:00:00Z&until=2026-11-01T11:00:00Z";
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  static String database;
  static ClickHouse clickHouse;
  static QueryServer server;
  static String labKey;
  static String nimbusKey;

  @BeforeAll
  static void start() throws Exception {
    database = "it_strategy_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Path keyFile = Files.createTempDirectory("routemetrics-keys").resolve("api-keys.json");
    labKey = ApiKeys.add(keyFile, "leadership", null);
    nimbusKey = ApiKeys.add(keyFile, "nimbus-portal", "nimbus-cloud");
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
                  QueryAccessIT.metrics("direct-api", "DIRECT_API", null, 400, 4, 40),
                  QueryAccessIT.metrics("consumer-app", "CONSUMER_APP", null, 100, 0, 20),
                  QueryAccessIT.metrics(
                      "cloud-nimbus", "CLOUD_PARTNER", "nimbus-cloud", 300, 30, 3),
                  QueryAccessIT.metrics(
                      "cloud-stratus", "CLOUD_PARTNER", "stratus-cloud", 200, 2, 10)));
      new ChannelRevenueWriter(database)
          .insert(
              connection,
              List.of(
                  QueryAccessIT.revenue("direct-api", "DIRECT_API", null, "500", "0", "500", "500"),
                  QueryAccessIT.revenue(
                      "cloud-nimbus", "CLOUD_PARTNER", "nimbus-cloud", "1000", "300", "700", "0"),
                  QueryAccessIT.revenue(
                      "cloud-stratus", "CLOUD_PARTNER", "stratus-cloud", "400", "80", "320", "0")));
      new ChannelRegistryWriter(database)
          .insert(
              connection,
              ChannelRegistry.builtIn().changes().stream()
                  .map(ChannelRegistryPublisher::toEvent)
                  .toList());
      try (Statement insert = connection.createStatement()) {
        String quarantine =
            "INSERT INTO "
                + database
                + ".quarantined_events (family, event_id, reason, channel_id, event_time,"
                + " detail, payload_b64) VALUES ";
        insert.execute(
            quarantine
                + "('USAGE', 'u-1', 'CONFLICT', 'cloud-nimbus', '2026-11-01 10:05:00', 'another"
                + " payload', ''), ('USAGE', 'u-2', 'TOO_LATE', 'cloud-nimbus', '2026-11-01"
                + " 10:06:00', 'late 2', ''), ('USAGE', 'u-3', 'TOO_LATE', 'cloud-nimbus',"
                + " '2026-11-01 10:07:00', 'late 3', ''), ('USAGE', 'u-4', 'TOO_LATE',"
                + " 'cloud-nimbus', '2026-11-01 10:08:00', 'late 4', ''), ('USAGE', 'u-5',"
                + " 'TOO_LATE', 'cloud-nimbus', '2026-11-01 10:09:00', 'late 5', ''), ('BILLING',"
                + " 'b-1', 'OUT_OF_BOUNDS', 'cloud-stratus', '2026-11-01 11:00:00', 'net_amount:"
                + " too large', ''), ('FEEDBACK', 'f-1', 'UNPROCESSABLE', 'direct-api', '2026-10-31"
                + " 23:59:59', 'no schema', '')");
        // The same conflict set aside again (a replay): counted once.
        insert.execute(
            quarantine
                + "('USAGE', 'u-1', 'CONFLICT', 'cloud-nimbus', '2026-11-01 10:05:00', 'another"
                + " payload', '')");
        insert.execute(
            "INSERT INTO "
                + database
                + ".sink_rejected_records (topic, kafka_partition, kafka_offset, record_time,"
                + " reason, error, target_table, payload_b64) VALUES ('channel-metrics', 0, 17,"
                + " '2026-11-01 10:30:00', 'undecodable', 'not a ChannelWindowMetrics',"
                + " 'channel_metrics', '')");
        // u-2 counted at offset 10 and re-delivered too late at 40; u-3 too late at 41, its only
        // copy; u-4 and u-5
        // set aside before their copies were recorded.
        String sha = "'" + "a".repeat(64) + "'";
        insert.execute(
            "INSERT INTO "
                + database
                + ".event_arrivals (family, event_id, kafka_partition, kafka_offset,"
                + " payload_sha256, event_time, arrived_at) VALUES ('USAGE', 'u-2', 0, 10, "
                + sha
                + ", '2026-11-01 10:06:00',"
                + " '2026-11-01 10:06:01'), ('USAGE', 'u-2', 0, 40, "
                + sha
                + ", '2026-11-01 10:06:00', '2026-11-09 10:00:00'),"
                + " ('USAGE', 'u-3', 0, 41, "
                + sha
                + ", '2026-11-01 10:07:00', '2026-11-09 10:00:01')");
        insert.execute(
            "INSERT INTO "
                + database
                + ".quarantined_copies (family, event_id, reason, source_topic,"
                + " kafka_partition, kafka_offset, from_event_topic, event_time) VALUES"
                + " ('USAGE', 'u-2', 'TOO_LATE', 'usage-events', 0, 40, 1, '2026-11-01 10:06:00'),"
                + " ('USAGE', 'u-3', 'TOO_LATE', 'usage-events', 0, 41, 1, '2026-11-01 10:07:00')");
        // Two dead letters of one backfill: negative tokens on a line naming cloud-nimbus, and a
        // line that is no JSON.
        insert.execute(
            "INSERT INTO "
                + database
                + ".dead_letters (family, source, line, reason, channel_id, raw, loaded_at,"
                + " kafka_partition, kafka_offset) VALUES ('USAGE', '/data/nov.ndjson', 7,"
                + " 'input_tokens: must be >= 0, was -7', 'cloud-nimbus', '{}', '2026-11-01"
                + " 12:00:00', 0, 0), ('USAGE', '/data/nov.ndjson', 9, 'not valid JSON: Unexpected"
                + " end-of-input', NULL, '{broken', '2026-11-01 12:00:00', 0, 1)");
      }
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

  static HttpResponse<String> get(String pathAndQuery, String key) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
            .header("Authorization", "Bearer " + key)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode rows(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).path("rows");
  }

  @Test
  void shouldAnswerTheWhatIfWithHandComputedChangesAsJsonAndCsv() throws Exception {
    JsonNode rows =
        rows(
            get("/api/what-if?" + RANGE + "&channel=cloud-nimbus&to=direct-api&shift=0.2", labKey));

    // m = 0.2 × 300 = 60. Scores: direct-api (6/6 + 1 + 500/500) / 3 = 1; nimbus and stratus (0 + 0
    // + 0) / 3 = 0;
    // consumer-app none (no revenue). Weighted over 400 + 300 + 200 = 900: before 400/900, after
    // 460/900.
    assertThat(rows).hasSize(2);
    JsonNode hour = rows.get(0);
    assertThat(hour.path("scope").asText()).isEqualTo("WINDOW");
    assertThat(hour.path("window_start").asText()).isEqualTo("2026-11-01T10:00:00Z");
    assertThat(hour.path("moved_requests").asDouble()).isCloseTo(60, within(1e-9));
    assertThat(hour.path("control_score_before").asDouble()).isCloseTo(400.0 / 900, within(1e-12));
    assertThat(hour.path("control_score_after").asDouble()).isCloseTo(460.0 / 900, within(1e-12));
    assertThat(hour.path("control_score_change").asDouble()).isCloseTo(60.0 / 900, within(1e-12));
    // Net 60 × 500/400 − 0.2 × 700 = 75 − 140 = −65; fees 0 − 0.2 × 300 = −60: exact strings.
    assertThat(hour.path("net_revenue_change").path("USD").asText()).isEqualTo("-65.0000");
    assertThat(hour.path("partner_fee_change").path("USD").asText()).isEqualTo("-60.0000");
    assertThat(hour.path("identity_visible_change").asDouble())
        .isCloseTo(60 * (1.0 - 0.0), within(1e-9));
    // Lost signals (indirect): before pool 60/500 = 0.12: 0.12 × 300 − 3 + 0.12 × 200 − 10 = 47.
    // After: pool (46 + 20) / (460 + 100); nimbus 240 requests, 2.4 trainable.
    double after = 66.0 / 560 * 240 - 2.4 + 66.0 / 560 * 200 - 10;
    assertThat(hour.path("lost_signals_change").asDouble()).isCloseTo(after - 47, within(1e-9));
    assertThat(rows.get(1).path("scope").asText()).isEqualTo("PERIOD");
    assertThat(rows.get(1).path("net_revenue_change").path("USD").asText()).isEqualTo("-65.0000");

    HttpResponse<String> csv =
        get(
            "/api/what-if?" + RANGE + "&channel=cloud-nimbus&to=direct-api&shift=0.2&format=csv",
            labKey);
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.body().lines().toList()).hasSize(3);
    assertThat(csv.body()).contains("USD=-65.0000");
  }

  @Test
  void shouldRefuseABadWhatIfNamingTheParameter() throws Exception {
    HttpResponse<String> notDirect =
        get("/api/what-if?" + RANGE + "&channel=cloud-nimbus&to=cloud-stratus&shift=0.2", labKey);
    assertThat(notDirect.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(notDirect.body()).path("detail").asText())
        .startsWith("to: 'cloud-stratus' is on route CLOUD_PARTNER");
    HttpResponse<String> badShift =
        get("/api/what-if?" + RANGE + "&channel=cloud-nimbus&to=direct-api&shift=2", labKey);
    assertThat(badShift.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badShift.body()).path("detail").asText()).startsWith("shift:");
    HttpResponse<String> noChannel =
        get("/api/what-if?" + RANGE + "&to=direct-api&shift=0.2", labKey);
    assertThat(noChannel.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noChannel.body()).path("detail").asText()).startsWith("channel:");
  }

  @Test
  void shouldRefuseTheWhatIfToAPartnerKeyEvenForItsOwnChannel() throws Exception {
    // It weighs the partner's channel against the lab's own direct routes.
    for (String format : List.of("json", "csv")) {
      HttpResponse<String> refused =
          get(
              "/api/what-if?"
                  + RANGE
                  + "&channel=cloud-nimbus&to=direct-api&shift=0.2&format="
                  + format,
              nimbusKey);
      assertThat(refused.statusCode()).as(format).isEqualTo(403);
      assertThat(refused.body()).doesNotContain("direct-api", "stratus");
    }
  }

  static JsonNode channel(JsonNode rows, String id) {
    for (JsonNode row : rows) {
      if (row.path("channel_id").asText().equals(id)) {
        return row;
      }
    }
    throw new AssertionError(id + " not in " + rows);
  }

  @Test
  void shouldShowTheRegistryChangeOf2026_11_20AtNoonInTheControlMap() throws Exception {
    // The built-in registry (schemas/.../channels.json): version 2, effective 2026-11-20T12:00:00Z,
    // gives the lab
    // vertical-lexdraft's identity (0 -> 1 LAB-owned point) and lowers cloud-stratus's take rate
    // from 0.25 to 0.18.
    JsonNode before = rows(get("/api/control-map?at=2026-11-20T11:59:59Z", labKey));
    JsonNode after = rows(get("/api/control-map?at=2026-11-20T12:00:00Z", labKey));

    assertThat(before).hasSize(9);
    assertThat(after).hasSize(9);
    JsonNode lexBefore = channel(before, "vertical-lexdraft");
    JsonNode lexAfter = channel(after, "vertical-lexdraft");
    assertThat(lexBefore.path("identity_owner").asText()).isEqualTo("PARTNER");
    assertThat(lexBefore.path("control_points_owned").asInt()).isZero();
    assertThat(lexBefore.path("registry_version").asInt()).isEqualTo(1);
    assertThat(lexAfter.path("identity_owner").asText()).isEqualTo("LAB");
    assertThat(lexAfter.path("workflow_owner").asText()).isEqualTo("PARTNER");
    assertThat(lexAfter.path("control_points_owned").asInt()).isEqualTo(1);
    assertThat(lexAfter.path("registry_version").asInt()).isEqualTo(2);
    assertThat(lexAfter.path("effective_from").asText()).isEqualTo("2026-11-20T12:00:00Z");
    assertThat(channel(before, "cloud-stratus").path("take_rate").asText()).isEqualTo("0.25");
    assertThat(channel(after, "cloud-stratus").path("take_rate").asText()).isEqualTo("0.18");
    // Unchanged channels stay at version 1: direct-api owns procurement, governance, billing (3 of
    // 6).
    JsonNode direct = channel(after, "direct-api");
    assertThat(direct.path("registry_version").asInt()).isEqualTo(1);
    assertThat(direct.path("partner_id").isNull()).isTrue();
    assertThat(
            List.of(
                direct.path("identity_owner").asText(),
                direct.path("procurement_owner").asText(),
                direct.path("interface_owner").asText()))
        .containsExactly("CUSTOMER", "LAB", "CUSTOMER");
    assertThat(direct.path("control_points_owned").asInt()).isEqualTo(3);

    HttpResponse<String> csv = get("/api/control-map?at=2026-11-20T12:00:00Z&format=csv", labKey);
    assertThat(csv.body().lines().toList()).hasSize(10);
    assertThat(
            csv.body()
                .lines()
                .filter(l -> l.startsWith("vertical-lexdraft,"))
                .findFirst()
                .orElseThrow())
        .contains(",LAB,PARTNER,");
  }

  @Test
  void shouldShowAPartnerOnlyItsOwnChannelsInTheControlMap() throws Exception {
    for (String format : List.of("json", "csv")) {
      HttpResponse<String> own =
          get("/api/control-map?at=2026-11-20T12:00:00Z&format=" + format, nimbusKey);
      assertThat(own.statusCode()).isEqualTo(200);
      assertThat(own.body())
          .contains("cloud-nimbus")
          .doesNotContain("stratus", "lexdraft", "direct-api", "routerhub");
    }
    assertThat(
            get("/api/control-map?at=2026-11-20T12:00:00Z&channel=cloud-stratus", nimbusKey)
                .statusCode())
        .isEqualTo(403);
    assertThat(get("/api/control-map?at=2126-01-01T00:00:00Z", labKey).statusCode()).isEqualTo(400);
  }

  private static final String TWO_DAYS = "from=2026-10-31T00:00:00Z&until=2026-11-02T00:00:00Z";

  @Test
  void shouldCountWhatWasKeptAsideByDayFamilyReasonAndChannelWithExamples() throws Exception {
    JsonNode rows = rows(get("/api/quarantine?" + TWO_DAYS, labKey));

    // By day, the streams' groups before the sink's: 10-31 the unprocessable feedback; 11-01 the
    // out-of-bounds
    // billing event, the conflict (once, though set aside twice), the four too-late usage events,
    // the sink's record.
    List<String> groups = new java.util.ArrayList<>();
    rows.forEach(
        r ->
            groups.add(
                String.join(
                    " ",
                    r.path("day").asText().substring(0, 10),
                    r.path("source").asText(),
                    r.path("family").asText(),
                    r.path("reason").asText(),
                    r.path("channel_id").asText("-"),
                    r.path("count").asText())));
    assertThat(groups)
        .containsExactly(
            "2026-10-31 STREAMS FEEDBACK UNPROCESSABLE direct-api 1",
            "2026-11-01 STREAMS BILLING OUT_OF_BOUNDS cloud-stratus 1",
            "2026-11-01 STREAMS USAGE CONFLICT cloud-nimbus 1",
            "2026-11-01 STREAMS USAGE TOO_LATE cloud-nimbus 4",
            "2026-11-01 SINK channel-metrics undecodable - 1",
            "2026-11-01 INGEST USAGE INVALID: input_tokens cloud-nimbus 1",
            "2026-11-01 INGEST USAGE NOT_JSON - 1");
    // Three examples of the four too-late events, oldest first.
    JsonNode late = rows.get(3).path("examples");
    assertThat(late).hasSize(3);
    assertThat(
            List.of(
                late.get(0).path("event_id").asText(),
                late.get(1).path("event_id").asText(),
                late.get(2).path("event_id").asText()))
        .containsExactly("u-2", "u-3", "u-4");
    assertThat(late.get(0).path("event_time").asText()).isEqualTo("2026-11-01T10:06:00Z");
    // Of the four, u-2 was counted from its copy at offset 10; u-3 never was; u-4 and u-5 cannot be
    // told.
    assertThat(rows.get(3).path("counted_earlier").asLong()).isEqualTo(1);
    assertThat(late.get(0).path("counted_earlier").asBoolean()).isTrue();
    assertThat(late.get(0).path("detail").asText())
        .isEqualTo(
            "a copy of this event was counted earlier (partition 0, offset 10, arrived"
                + " 2026-11-01T10:06:01Z); this copy, at offset 40, was not counted again. late 2");
    assertThat(late.get(1).path("counted_earlier").asBoolean(true)).isFalse();
    assertThat(late.get(1).path("detail").asText())
        .isEqualTo(
            "no earlier copy of this event was counted: a late event, not in the metrics. late 3");
    assertThat(late.get(2).path("counted_earlier").isNull()).isTrue();
    assertThat(late.get(2).path("detail").asText())
        .isEqualTo(
            "no copy of this event is in event_arrivals (written before migration 009). late 4");
    assertThat(rows.get(2).path("counted_earlier").isNull())
        .isTrue(); // a conflict: not a too-late group
    assertThat(rows.get(4).path("examples").get(0).path("event_id").asText())
        .isEqualTo("channel-metrics/0@17");
    // The dead letters: file:line, when loaded, every problem found.
    JsonNode letter = rows.get(5).path("examples").get(0);
    assertThat(letter.path("event_id").asText()).isEqualTo("/data/nov.ndjson:7");
    assertThat(letter.path("event_time").asText()).isEqualTo("2026-11-01T12:00:00Z");
    assertThat(letter.path("detail").asText()).isEqualTo("input_tokens: must be >= 0, was -7");

    HttpResponse<String> csv = get("/api/quarantine?" + TWO_DAYS + "&format=csv", labKey);
    assertThat(csv.body().lines().toList()).hasSize(8);
    assertThat(csv.body())
        .contains(
            "u-2", "late 2", "counted earlier (partition 0", "/data/nov.ndjson:9", "NOT_JSON");
  }

  @Test
  void shouldShowAPartnerOnlyItsChannelsQuarantineAndNoneOfTheSinks() throws Exception {
    for (String format : List.of("json", "csv")) {
      HttpResponse<String> own =
          get("/api/quarantine?" + TWO_DAYS + "&format=" + format, nimbusKey);
      assertThat(own.statusCode()).isEqualTo(200);
      assertThat(own.body())
          .contains("cloud-nimbus", "u-2", "counted earlier")
          .doesNotContain(
              "stratus",
              "direct-api",
              "b-1",
              "f-1",
              "channel-metrics",
              "INGEST",
              "nov.ndjson",
              "input_tokens");
    }
    assertThat(rows(get("/api/quarantine?" + TWO_DAYS, nimbusKey))).hasSize(2);
    assertThat(get("/api/quarantine?" + TWO_DAYS + "&channel=direct-api", nimbusKey).statusCode())
        .isEqualTo(403);
  }

  @Test
  void shouldAnswerSubstitutionForTheLabAndRefuseItToAPartner() throws Exception {
    // One hour: 1 window per channel, fewer than 48, so no elasticity; request share over the
    // period
    // 300 / (400 + 100 + 300 + 200) = 0.3 for cloud-nimbus, and one day: share volatility 0.
    JsonNode rows = rows(get("/api/substitution?" + RANGE, labKey));
    JsonNode nimbus = channel(rows, "cloud-nimbus");
    assertThat(nimbus.path("windows").asInt()).isEqualTo(1);
    assertThat(nimbus.path("latency_elasticity").isNull()).isTrue();
    assertThat(nimbus.path("request_share").asDouble()).isCloseTo(0.3, within(1e-12));
    assertThat(nimbus.path("share_volatility").asDouble()).isCloseTo(0, within(1e-12));
    assertThat(nimbus.path("rented_volume").asBoolean()).isFalse();
    assertThat(nimbus.path("note").asText()).isEqualTo("1 usable HOUR windows, fewer than 48");
    assertThat(get("/api/substitution?" + RANGE + "&format=csv", labKey).body().lines().toList())
        .hasSize(5);

    // Share volatility, the top quartile and rented volume compare channels with each other.
    for (String format : List.of("json", "csv")) {
      HttpResponse<String> refused =
          get("/api/substitution?" + RANGE + "&format=" + format, nimbusKey);
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(refused.body()).doesNotContain("stratus", "direct-api");
    }
  }
}
