package dev.routemetrics.warehouse.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.warehouse.ClickHouse;
import dev.routemetrics.warehouse.WarehouseConfig;
import dev.routemetrics.warehouse.migrations.Migrations;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.registry.ChannelRegistryPublisher;
import dev.routemetrics.warehouse.sink.ChannelMetricsWriter;
import dev.routemetrics.warehouse.sink.ChannelRegistryWriter;
import dev.routemetrics.warehouse.sink.ChannelRevenueWriter;
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
  private static final String RANGE = "window=HOUR&from=2026-11-01T10:00:00Z&until=2026-11-01T11:00:00Z";
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
    WarehouseConfig config = new WarehouseConfig(Map.of(WarehouseConfig.DATABASE, database,
        WarehouseConfig.QUERY_API_KEYS_FILE, keyFile.toString()));
    clickHouse = new ClickHouse(config);
    new Migrations(clickHouse, database).apply();
    try (Connection connection = clickHouse.connect()) {
      new ChannelMetricsWriter(database).insert(connection, List.of(
          QueryAccessIT.metrics("direct-api", "DIRECT_API", null, 400, 4, 40),
          QueryAccessIT.metrics("consumer-app", "CONSUMER_APP", null, 100, 0, 20),
          QueryAccessIT.metrics("cloud-nimbus", "CLOUD_PARTNER", "nimbus-cloud", 300, 30, 3),
          QueryAccessIT.metrics("cloud-stratus", "CLOUD_PARTNER", "stratus-cloud", 200, 2, 10)));
      new ChannelRevenueWriter(database).insert(connection, List.of(
          QueryAccessIT.revenue("direct-api", "DIRECT_API", null, "500", "0", "500", "500"),
          QueryAccessIT.revenue("cloud-nimbus", "CLOUD_PARTNER", "nimbus-cloud", "1000", "300", "700", "0"),
          QueryAccessIT.revenue("cloud-stratus", "CLOUD_PARTNER", "stratus-cloud", "400", "80", "320", "0")));
      new ChannelRegistryWriter(database).insert(connection, ChannelRegistry.builtIn().changes().stream()
          .map(ChannelRegistryPublisher::toEvent).toList());
    }
    server = new QueryServer(config, "127.0.0.1", 0, Clock.fixed(HOUR.plusSeconds(3600), ZoneOffset.UTC)).start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    try (Connection connection = clickHouse.connect(); Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + database);
    }
  }

  static HttpResponse<String> get(String pathAndQuery, String key) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
        .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode rows(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).path("rows");
  }

  @Test
  void shouldAnswerTheWhatIfWithHandComputedChangesAsJsonAndCsv() throws Exception {
    JsonNode rows = rows(get("/api/what-if?" + RANGE + "&channel=cloud-nimbus&to=direct-api&shift=0.2", labKey));

    // m = 0.2 × 300 = 60. Scores: direct-api (6/6 + 1 + 500/500) / 3 = 1; nimbus and stratus (0 + 0 + 0) / 3 = 0;
    // consumer-app none (no revenue). Weighted over 400 + 300 + 200 = 900: before 400/900, after 460/900.
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
    assertThat(hour.path("identity_visible_change").asDouble()).isCloseTo(60 * (1.0 - 0.0), within(1e-9));
    // Lost signals (indirect): before pool 60/500 = 0.12: 0.12 × 300 − 3 + 0.12 × 200 − 10 = 47.
    // After: pool (46 + 20) / (460 + 100); nimbus 240 requests, 2.4 trainable.
    double after = 66.0 / 560 * 240 - 2.4 + 66.0 / 560 * 200 - 10;
    assertThat(hour.path("lost_signals_change").asDouble()).isCloseTo(after - 47, within(1e-9));
    assertThat(rows.get(1).path("scope").asText()).isEqualTo("PERIOD");
    assertThat(rows.get(1).path("net_revenue_change").path("USD").asText()).isEqualTo("-65.0000");

    HttpResponse<String> csv = get("/api/what-if?" + RANGE + "&channel=cloud-nimbus&to=direct-api&shift=0.2&format=csv", labKey);
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.body().lines().toList()).hasSize(3);
    assertThat(csv.body()).contains("USD=-65.0000");
  }

  @Test
  void shouldRefuseABadWhatIfNamingTheParameter() throws Exception {
    HttpResponse<String> notDirect = get("/api/what-if?" + RANGE + "&channel=cloud-nimbus&to=cloud-stratus&shift=0.2", labKey);
    assertThat(notDirect.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(notDirect.body()).path("detail").asText()).startsWith("to: 'cloud-stratus' is on route CLOUD_PARTNER");
    HttpResponse<String> badShift = get("/api/what-if?" + RANGE + "&channel=cloud-nimbus&to=direct-api&shift=2", labKey);
    assertThat(badShift.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badShift.body()).path("detail").asText()).startsWith("shift:");
    HttpResponse<String> noChannel = get("/api/what-if?" + RANGE + "&to=direct-api&shift=0.2", labKey);
    assertThat(noChannel.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(noChannel.body()).path("detail").asText()).startsWith("channel:");
  }

  @Test
  void shouldRefuseTheWhatIfToAPartnerKeyEvenForItsOwnChannel() throws Exception {
    // It weighs the partner's channel against the lab's own direct routes.
    HttpResponse<String> refused = get("/api/what-if?" + RANGE + "&channel=cloud-nimbus&to=direct-api&shift=0.2", nimbusKey);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).doesNotContain("direct-api", "stratus");
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
    // The built-in registry (schemas/.../channels.json): version 2, effective 2026-11-20T12:00:00Z, gives the lab
    // vertical-lexdraft's identity (0 -> 1 LAB-owned point) and lowers cloud-stratus's take rate from 0.25 to 0.18.
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
    // Unchanged channels stay at version 1: direct-api owns procurement, governance, billing (3 of 6).
    JsonNode direct = channel(after, "direct-api");
    assertThat(direct.path("registry_version").asInt()).isEqualTo(1);
    assertThat(direct.path("partner_id").isNull()).isTrue();
    assertThat(List.of(direct.path("identity_owner").asText(), direct.path("procurement_owner").asText(),
        direct.path("interface_owner").asText())).containsExactly("CUSTOMER", "LAB", "CUSTOMER");
    assertThat(direct.path("control_points_owned").asInt()).isEqualTo(3);

    HttpResponse<String> csv = get("/api/control-map?at=2026-11-20T12:00:00Z&format=csv", labKey);
    assertThat(csv.body().lines().toList()).hasSize(10);
    assertThat(csv.body().lines().filter(l -> l.startsWith("vertical-lexdraft,")).findFirst().orElseThrow())
        .contains(",LAB,PARTNER,");
  }

  @Test
  void shouldShowAPartnerOnlyItsOwnChannelsInTheControlMap() throws Exception {
    for (String format : List.of("json", "csv")) {
      HttpResponse<String> own = get("/api/control-map?at=2026-11-20T12:00:00Z&format=" + format, nimbusKey);
      assertThat(own.statusCode()).isEqualTo(200);
      assertThat(own.body()).contains("cloud-nimbus").doesNotContain("stratus", "lexdraft", "direct-api", "routerhub");
    }
    assertThat(get("/api/control-map?at=2026-11-20T12:00:00Z&channel=cloud-stratus", nimbusKey).statusCode()).isEqualTo(403);
    assertThat(get("/api/control-map?at=2126-01-01T00:00:00Z", labKey).statusCode()).isEqualTo(400);
  }
}
