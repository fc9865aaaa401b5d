package dev.routemetrics.query.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.query.QueryConfig;
import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.registry.ChannelRegistryPublisher;
import dev.routemetrics.sink.ChannelMetricsWriter;
import dev.routemetrics.sink.ChannelRegistryWriter;
import dev.routemetrics.sink.ChannelRevenueWriter;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.migrations.Migrations;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The route-strategy panels (issue 16) in a real headless Chromium against a real ClickHouse: the
 * substitution table with its error bars, the what-if form, the control-point matrix as of two
 * moments around a registry change, and the quarantine panel, each against numbers worked out by
 * hand below from a small dataset of two days (2026-11-03 and 11-04, HOUR windows).
 */
class StrategyPanelsBrowserIT {

  static final Instant DAY1 = Instant.parse("2026-11-03T00:00:00Z");
  static final Instant DAY2 = Instant.parse("2026-11-04T00:00:00Z");
  static final String TWO_DAYS =
      "from=2026-11-03T00:00:00Z&until=2026-11-05T00:00:00Z&window=HOUR&refresh=0";
  static final String ONE_HOUR =
      "from=2026-11-03T10:00:00Z&until=2026-11-03T11:00:00Z&window=HOUR&refresh=0";

  private String database;
  private ClickHouse clickHouse;
  private QueryServer server;
  private WebDriver browser;
  private Path profile;
  private Path keys;
  private String labKey;
  private String routerhubKey;

  @BeforeEach
  void start() throws Exception {
    database = "it_panels_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    keys = Files.createTempDirectory("routemetrics-keys").resolve("api-keys.json");
    labKey = ApiKeys.add(keys, "leadership", null);
    routerhubKey = ApiKeys.add(keys, "routerhub-portal", "routerhub");
    QueryConfig config =
        new QueryConfig(
            Map.of(QueryConfig.DATABASE, database, QueryConfig.API_KEYS_FILE, keys.toString()));
    clickHouse = new ClickHouse(config);
    new Migrations(clickHouse, database).apply();
    writeDataset();
    server =
        new QueryServer(
                config,
                "127.0.0.1",
                0,
                Clock.fixed(Instant.parse("2026-11-05T00:00:00Z"), ZoneOffset.UTC))
            .start();
    profile = Files.createTempDirectory("routemetrics-chromium");
    browser = DashboardBrowserIT.chromium(profile);
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (server != null) {
      server.close();
    }
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + database);
    }
    for (Path dir : new Path[] {profile, keys == null ? null : keys.getParent()}) {
      if (dir != null) {
        try (var files = Files.walk(dir)) {
          files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
      }
    }
  }

  /**
   *
   *
   * <pre>
   * market-routerhub (MARKETPLACE, partner routerhub, 0 LAB-owned points), all 48 hours, USD:
   *   11-03, every hour:      100 requests, p95 1,000 ms, net 1.00 (0.01 a request)
   *   11-04, hours 00–11:     60 (even hours) or 40 (odd), p95 2,000 ms, net 0.60 / 0.40 (0.01 a request)
   *   11-04, hours 12–23:     30 (even) or 20 (odd),      p95 1,000 ms, net 0.60 / 0.40 (0.02 a request)
   *   the 11-03 10:00 hour also has gross 1.05 and a partner fee of 0.05
   * direct-api (DIRECT_API, 3 LAB-owned points), 10:00 on both days: 800 and 900 requests, 10 % with a
   *   known end user, 40 and 45 trainable feedback, p95 500 ms, net 16.00 and 18.00 billed by the lab
   * </pre>
   *
   * Quarantined: two too-late routerhub usage events on 11-03 (u-late-1 counted from an earlier
   * copy, u-late-2 never), a billing conflict of direct-api on 11-04, one channel-metrics record
   * the sink could not decode on 11-04, and one billing dead letter (a line that is no JSON) loaded
   * on 11-04. The registry history is the built-in one (version 2 at 2026-11-20T12:00:00Z gives
   * vertical-lexdraft's identity to the lab).
   */
  private void writeDataset() throws Exception {
    List<ChannelWindowMetrics> metrics = new ArrayList<>();
    List<ChannelWindowRevenue> revenue = new ArrayList<>();
    for (int hour = 0; hour < 24; hour++) {
      Instant first = DAY1.plus(Duration.ofHours(hour));
      Instant second = DAY2.plus(Duration.ofHours(hour));
      long requests = hour < 12 ? (hour % 2 == 0 ? 60 : 40) : (hour % 2 == 0 ? 30 : 20);
      metrics.add(routerhub(first, 100, 1000.0));
      metrics.add(routerhub(second, requests, hour < 12 ? 2000.0 : 1000.0));
      String net = hour % 2 == 0 ? "0.60" : "0.40";
      revenue.add(
          hour == 10
              ? DashboardBrowserIT.revenue(
                  "HOUR",
                  first,
                  "market-routerhub",
                  "MARKETPLACE",
                  "routerhub",
                  "1.05",
                  "0.05",
                  "1.00",
                  "0")
              : DashboardBrowserIT.revenue(
                  "HOUR",
                  first,
                  "market-routerhub",
                  "MARKETPLACE",
                  "routerhub",
                  "1.00",
                  "0",
                  "1.00",
                  "0"));
      revenue.add(
          DashboardBrowserIT.revenue(
              "HOUR", second, "market-routerhub", "MARKETPLACE", "routerhub", net, "0", net, "0"));
    }
    metrics.add(
        DashboardBrowserIT.metrics(
            DAY1.plus(Duration.ofHours(10)),
            "direct-api",
            "DIRECT_API",
            null,
            3,
            800,
            80,
            0,
            500.0,
            100,
            40,
            "10:59:00"));
    metrics.add(
        DashboardBrowserIT.metrics(
            DAY2.plus(Duration.ofHours(10)),
            "direct-api",
            "DIRECT_API",
            null,
            3,
            900,
            90,
            0,
            500.0,
            100,
            45,
            "10:59:00"));
    revenue.add(
        DashboardBrowserIT.revenue(
            "HOUR",
            DAY1.plus(Duration.ofHours(10)),
            "direct-api",
            "DIRECT_API",
            null,
            "16.00",
            "0",
            "16.00",
            "16.00"));
    revenue.add(
        DashboardBrowserIT.revenue(
            "HOUR",
            DAY2.plus(Duration.ofHours(10)),
            "direct-api",
            "DIRECT_API",
            null,
            "18.00",
            "0",
            "18.00",
            "18.00"));
    try (Connection connection = clickHouse.connect();
        Statement insert = connection.createStatement()) {
      new ChannelMetricsWriter(database).insert(connection, metrics);
      new ChannelRevenueWriter(database).insert(connection, revenue);
      new ChannelRegistryWriter(database)
          .insert(
              connection,
              ChannelRegistry.builtIn().changes().stream()
                  .map(ChannelRegistryPublisher::toEvent)
                  .toList());
      insert.execute(
          "INSERT INTO "
              + database
              + ".quarantined_events (family, event_id, reason, channel_id, event_time, detail,"
              + " payload_b64) VALUES ('USAGE', 'u-late-1', 'TOO_LATE', 'market-routerhub',"
              + " '2026-11-03 10:05:00', 'older than 7 days', ''), ('USAGE', 'u-late-2',"
              + " 'TOO_LATE', 'market-routerhub', '2026-11-03 10:06:00', 'older than 7 days', ''),"
              + " ('BILLING', 'b-twice', 'CONFLICT', 'direct-api', '2026-11-04 09:00:00', 'another"
              + " payload', '')");
      insert.execute(
          "INSERT INTO "
              + database
              + ".sink_rejected_records (topic, kafka_partition, kafka_offset, record_time, reason,"
              + " error, target_table, payload_b64) VALUES ('channel-metrics', 2, 41, '2026-11-04"
              + " 08:00:00', 'undecodable', 'not a ChannelWindowMetrics', 'channel_metrics', '')");
      // u-late-1 was counted from its copy at offset 3 of partition 1 and re-delivered at 50;
      // u-late-2's only copy is 51.
      String sha = "'" + "c".repeat(64) + "'";
      insert.execute(
          "INSERT INTO "
              + database
              + ".event_arrivals (family, event_id, kafka_partition, kafka_offset,"
              + " payload_sha256, event_time, arrived_at) VALUES ('USAGE', 'u-late-1', 1, 3, "
              + sha
              + ", '2026-11-03 10:05:00',"
              + " '2026-11-03 10:05:02'), ('USAGE', 'u-late-1', 1, 50, "
              + sha
              + ", '2026-11-03 10:05:00', '2026-11-11 00:00:00'),"
              + " ('USAGE', 'u-late-2', 1, 51, "
              + sha
              + ", '2026-11-03 10:06:00', '2026-11-11 00:00:01')");
      insert.execute(
          "INSERT INTO "
              + database
              + ".quarantined_copies (family, event_id, reason, source_topic, kafka_partition,"
              + " kafka_offset, from_event_topic, event_time) VALUES ('USAGE', 'u-late-1',"
              + " 'TOO_LATE', 'usage-events', 1, 50, 1, '2026-11-03 10:05:00'), ('USAGE',"
              + " 'u-late-2', 'TOO_LATE', 'usage-events', 1, 51, 1, '2026-11-03 10:06:00')");
      insert.execute(
          "INSERT INTO "
              + database
              + ".dead_letters (family, source, line, reason, channel_id, raw, loaded_at,"
              + " kafka_partition, kafka_offset) VALUES ('BILLING', '/data/b.ndjson', 4, 'not valid"
              + " JSON: Unexpected end-of-input', NULL, '{broken', '2026-11-04 07:00:00', 0, 0)");
    }
  }

  private static ChannelWindowMetrics routerhub(Instant hour, long requests, double p95) {
    String newest = String.format(Locale.ROOT, "%02d:59:00", hour.atZone(ZoneOffset.UTC).getHour());
    return DashboardBrowserIT.metrics(
        hour, "market-routerhub", "MARKETPLACE", "routerhub", 0, requests, 0, 0, p95, 0, 0, newest);
  }

  @Test
  @DisplayName(
      "substitution risk: each channel's elasticities with their errors and error bars, share,"
          + " volatility and flag")
  void shouldShowTheHandComputedElasticitiesWithTheirErrorBars() throws Exception {
    open(TWO_DAYS, labKey);
    awaitPanel("substitution", 1);

    // With one indicator per hour of day and two days, each hour's pair is its own intercept: the
    // slopes
    // are least squares of the day-2-minus-day-1 differences. Hours 00–11: ln p95 rises by ln 2,
    // the price
    // stays; hours 12–23: the price doubles (0.01 → 0.02 a request), p95 stays. So each slope is
    // the mean
    // of its twelve differences of ln requests over ln 2 (sign flipped):
    double ln2 = Math.log(2);
    double latency =
        -(6 * Math.log(60 / 100.0) + 6 * Math.log(40 / 100.0))
            / 12
            / ln2; // = −ln 0.24 / (2 ln 2) = 1.0294
    double price =
        -(6 * Math.log(30 / 100.0) + 6 * Math.log(20 / 100.0))
            / 12
            / ln2; // = −ln 0.06 / (2 ln 2) = 2.0294
    // Each difference misses its mean by ±½ ln 1.5, shared ± between the pair's two hours: 48
    // residuals
    // of ±¼ ln 1.5. n − k = 48 − (2 slopes + 24 hours) = 22. Within the pairs, each slope's
    // regressor
    // varies by ±½ ln 2 over 24 windows: Σ = 24 × (ln 2 / 2)² = 6 ln² 2.
    double s2 = 48 * Math.pow(Math.log(1.5) / 4, 2) / 22;
    double error = Math.sqrt(s2 / (6 * ln2 * ln2)); // 0.0882 for both
    assertThat(latency).isCloseTo(1.0294, within(1e-4));
    assertThat(error).isCloseTo(0.0882, within(1e-4));
    // Requests: routerhub 2,400 + 6 × 60 + 6 × 40 + 6 × 30 + 6 × 20 = 3,300; direct-api 800 + 900 =
    // 1,700; share
    // 3,300 / 5,000 = 66.0 %. Daily shares: routerhub 2,400 / 3,200 = 0.75, 900 / 1,800 = 0.5: mean
    // 0.625, σ
    // 0.125, volatility 0.200; direct-api 0.25, 0.5: 0.125 / 0.375 = 0.333. The top quartile is
    // ceil(2 / 4) = 1
    // channel, routerhub, whose elasticities are above 1: rented volume.
    assertThat(row("substitution", "market-routerhub"))
        .containsExactly(
            "market-routerhub",
            "MARKETPLACE",
            "48",
            String.format(Locale.ROOT, "%.2f ± %.2f", latency, error),
            String.format(Locale.ROOT, "%.2f ± %.2f", price, error),
            "",
            "66.0%",
            "0.200",
            "RENTED VOLUME");
    assertThat(row("substitution", "market-routerhub").get(3)).isEqualTo("1.03 ± 0.09");
    assertThat(row("substitution", "market-routerhub").get(4)).isEqualTo("2.03 ± 0.09");
    assertThat(rowClass("substitution", "market-routerhub")).isEqualTo("flagged");
    assertThat(row("substitution", "direct-api"))
        .containsExactly(
            "direct-api",
            "DIRECT_API",
            "2",
            "–",
            "–",
            "",
            "34.0%",
            "0.333",
            "2 usable HOUR windows, fewer than 48");

    // The error bars, on a 0–3 scale over 160 px less 4 px a side: x(v) = 4 + v / 3 × 152.
    String bars = "#substitution tr[data-channel='market-routerhub'] svg.error-bars ";
    assertThat(attribute(bars + "circle[data-kind='latency']", "cx"))
        .isCloseTo(x(latency), within(1e-3));
    assertThat(attribute(bars + "circle[data-kind='price']", "cx"))
        .isCloseTo(x(price), within(1e-3));
    List<WebElement> lines = browser.findElements(By.cssSelector(bars + "line[stroke]"));
    assertThat(lines).hasSize(2);
    assertThat(Double.parseDouble(lines.get(0).getAttribute("x1")))
        .isCloseTo(x(latency - error), within(1e-3));
    assertThat(Double.parseDouble(lines.get(0).getAttribute("x2")))
        .isCloseTo(x(latency + error), within(1e-3));
    assertThat(Double.parseDouble(lines.get(1).getAttribute("x1")))
        .isCloseTo(x(price - error), within(1e-3));
    assertThat(Double.parseDouble(lines.get(1).getAttribute("x2")))
        .isCloseTo(x(price + error), within(1e-3));
    assertThat(attribute(bars + "line.threshold", "x1"))
        .isCloseTo(x(1), within(1e-3)); // the substitutable line, e = 1
    assertThat(
            browser.findElements(
                By.cssSelector(
                    "#substitution tr[data-channel='direct-api'] svg.error-bars circle")))
        .isEmpty();
  }

  private static double x(double elasticity) {
    return 4 + Math.max(0, Math.min(3, elasticity)) / 3 * 152;
  }

  @Test
  @DisplayName("what-if: the form's change per window and for the period, computed by hand")
  void shouldShowTheHandComputedWhatIf() throws Exception {
    open(ONE_HOUR, labKey);
    browser.findElement(By.id("what-if-channel")).sendKeys("market-routerhub");
    browser.findElement(By.id("what-if-to")).sendKeys("direct-api");
    WebElement shift = browser.findElement(By.id("what-if-shift"));
    shift.clear();
    shift.sendKeys("0.2");
    browser.findElement(By.id("what-if-run")).click();
    DashboardBrowserIT.await("the what-if", () -> counter("whatIf") >= 1);

    // 10:00 on 11-03: m = 0.2 × 100 = 20 requests move from routerhub to direct-api.
    // Control scores: routerhub (0/6 + 0/100 + 0/1.00) / 3 = 0; direct-api (3/6 + 80/800 + 16/16) /
    // 3 = 1.6 / 3.
    // Weighted over 900 requests: before 800 × 1.6/3 / 900 = 0.4741, after 820 × 1.6/3 / 900 =
    // 0.4859, change
    // 20 × 1.6/3 / 900 = +0.0119.
    double score = 1.6 / 3;
    // Net: 20 × 16.00 / 800 − 0.2 × 1.00 = 0.40 − 0.20 = +0.20; fees: 20 × 0 / 800 − 0.2 × 0.05 =
    // −0.01.
    // Identity-visible: 20 × (80/800 − 0/100) = +2.0. Lost signals: before, the direct pool 40/800
    // = 0.05 and
    // routerhub 0.05 × 100 − 0 = 5; after, the pool (40 + 20 × 0.05) / 820 = 0.05 and routerhub
    // 0.05 × 80 = 4: −1.00.
    List<String> expected =
        List.of(
            "20.0",
            String.format(Locale.ROOT, "%.4f → %.4f", 800 * score / 900, 820 * score / 900),
            String.format(Locale.ROOT, "+%.4f", 20 * score / 900),
            "USD 0.20",
            "USD -0.01",
            "+2.0",
            "-1.00");
    assertThat(expected.get(1)).isEqualTo("0.4741 → 0.4859");
    List<List<String>> rows =
        browser.findElements(By.cssSelector("#what-if tbody tr")).stream()
            .map(tr -> tr.findElements(By.tagName("td")).stream().map(WebElement::getText).toList())
            .toList();
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).get(0)).isEqualTo("2026-11-03 10:00 UTC");
    assertThat(rows.get(0).subList(1, 8)).isEqualTo(expected);
    // One window: the period is that window.
    assertThat(rows.get(1).get(0)).isEqualTo("period");
    assertThat(rows.get(1).subList(1, 8)).isEqualTo(expected);
    assertThat(browser.findElement(By.id("what-if-status")).getText())
        .isEqualTo("market-routerhub → direct-api, shift 0.2: 1 window(s) evaluated.");
  }

  @Test
  @DisplayName(
      "control-point map: the matrix as of a moment, and the registry change of 2026-11-20 12:00"
          + " taking effect")
  void shouldShowTheRegistryChangeTakingEffectInTheMatrix() throws Exception {
    open(TWO_DAYS, labKey);
    asOf("2026-11-20T11:59:59Z");
    // Version 1 (2026-01-01): lexdraft's six points all PARTNER; stratus takes 25 %; direct-api
    // owns
    // procurement, governance and billing.
    assertThat(row("control-map", "vertical-lexdraft"))
        .containsExactly(
            "vertical-lexdraft",
            "VERTICAL_WORKFLOW",
            "lexdraft",
            "30.0%",
            "PARTNER",
            "PARTNER",
            "PARTNER",
            "PARTNER",
            "PARTNER",
            "PARTNER",
            "0 / 6",
            "2026-01-01 00:00 UTC (v1)");
    assertThat(row("control-map", "cloud-stratus").get(3)).isEqualTo("25.0%");
    assertThat(row("control-map", "direct-api"))
        .containsExactly(
            "direct-api",
            "DIRECT_API",
            "–",
            "0.0%",
            "CUSTOMER",
            "CUSTOMER",
            "LAB",
            "LAB",
            "LAB",
            "CUSTOMER",
            "3 / 6",
            "2026-01-01 00:00 UTC (v1)");
    assertThat(browser.findElements(By.cssSelector("#control-map tbody tr"))).hasSize(9);

    // Version 2, effective 12:00:00: lexdraft's identity moves to the lab (1 of 6), stratus's take
    // to 18 %.
    asOf("2026-11-20T12:00:00Z");
    assertThat(row("control-map", "vertical-lexdraft"))
        .containsExactly(
            "vertical-lexdraft",
            "VERTICAL_WORKFLOW",
            "lexdraft",
            "30.0%",
            "LAB",
            "PARTNER",
            "PARTNER",
            "PARTNER",
            "PARTNER",
            "PARTNER",
            "1 / 6",
            "2026-11-20 12:00 UTC (v2)");
    assertThat(
            browser
                .findElement(
                    By.cssSelector(
                        "#control-map tr[data-channel='vertical-lexdraft']"
                            + " td[data-field='identity']"))
                .getAttribute("class"))
        .isEqualTo("owner-lab");
    assertThat(row("control-map", "cloud-stratus").get(3)).isEqualTo("18.0%");
    assertThat(row("control-map", "direct-api").get(11))
        .isEqualTo("2026-01-01 00:00 UTC (v1)"); // unchanged
  }

  @Test
  @DisplayName("quarantine: counts by day, source, family, reason and channel, with examples")
  void shouldShowWhatWasKeptAsideWithExamples() throws Exception {
    open(TWO_DAYS, labKey);
    awaitPanel("quarantine", 1);
    List<List<String>> rows =
        browser.findElements(By.cssSelector("#quarantine tbody tr")).stream()
            .map(tr -> tr.findElements(By.tagName("td")).stream().map(WebElement::getText).toList())
            .toList();
    // By day; the streams' groups before the sink's; examples oldest first.
    assertThat(rows)
        .containsExactly(
            List.of(
                "2026-11-03",
                "STREAMS",
                "USAGE",
                "TOO_LATE (1 counted earlier)",
                "market-routerhub",
                "2",
                "u-late-1 (2026-11-03 10:05 UTC): a copy of this event was counted earlier"
                    + " (partition 1, offset 3, arrived 2026-11-03T10:05:02Z); this copy, at offset"
                    + " 50, was not counted again. older than 7 days · u-late-2 (2026-11-03 10:06"
                    + " UTC): no earlier copy of this event was counted: a late event, not in the"
                    + " metrics. older than 7 days"),
            List.of(
                "2026-11-04",
                "STREAMS",
                "BILLING",
                "CONFLICT",
                "direct-api",
                "1",
                "b-twice (2026-11-04 09:00 UTC): another payload"),
            List.of(
                "2026-11-04",
                "SINK",
                "channel-metrics",
                "undecodable",
                "–",
                "1",
                "channel-metrics/2@41 (2026-11-04 08:00 UTC): not a ChannelWindowMetrics"),
            List.of(
                "2026-11-04",
                "INGEST",
                "BILLING",
                "NOT_JSON",
                "–",
                "1",
                "/data/b.ndjson:4 (2026-11-04 07:00 UTC): not valid JSON: Unexpected"
                    + " end-of-input"));
  }

  @Test
  @DisplayName(
      "a partner's key: its own channel in the control map and quarantine; substitution and what-if"
          + " not available")
  void shouldShowAPartnerItsOwnChannelOnlyInTheNewPanels() throws Exception {
    open(TWO_DAYS, routerhubKey);
    awaitPanel("substitution", 1);
    awaitPanel("quarantine", 1);
    assertThat(text("#substitution tbody")).startsWith("not available to this key");
    assertThat(channels("quarantine")).containsExactly("market-routerhub");
    assertThat(row("quarantine", "market-routerhub").get(5)).isEqualTo("2");
    asOf("2026-11-20T12:00:00Z");
    assertThat(channels("control-map")).containsExactly("market-routerhub");
    browser.findElement(By.id("what-if-channel")).sendKeys("market-routerhub");
    browser.findElement(By.id("what-if-to")).sendKeys("direct-api");
    browser.findElement(By.id("what-if-run")).click();
    DashboardBrowserIT.await("the what-if", () -> counter("whatIf") >= 1);
    assertThat(browser.findElement(By.id("what-if-status")).getText())
        .startsWith("not available to this key");
    assertThat(browser.findElements(By.cssSelector("#what-if tbody tr[data-channel]"))).isEmpty();
    assertThat(browser.getPageSource()).doesNotContain("b-twice").doesNotContain("lexdraft");
  }

  // ---- page helpers ----

  private void open(String query, String key) throws InterruptedException {
    browser.get("http://127.0.0.1:" + server.port() + "/?" + query);
    WebElement input = browser.findElement(By.id("api-key"));
    input.clear();
    input.sendKeys(key);
    browser.findElement(By.id("use-key")).click();
    DashboardBrowserIT.await("the dashboard loaded", () -> counter("loaded") >= 1);
  }

  /**
   * Types the moment into the control map's form and waits for the load it starts (refresh=0: the
   * page starts no other after its first).
   */
  private void asOf(String at) throws InterruptedException {
    awaitPanel("controlMap", 1);
    int loads = counter("controlMap");
    WebElement input = browser.findElement(By.id("control-map-at"));
    input.clear();
    input.sendKeys(at);
    browser.findElement(By.id("control-map-run")).click();
    DashboardBrowserIT.await("the control map as of " + at, () -> counter("controlMap") > loads);
  }

  private void awaitPanel(String name, int atLeast) throws InterruptedException {
    DashboardBrowserIT.await("panel " + name + " loaded", () -> counter(name) >= atLeast);
  }

  private int counter(String name) {
    Object value =
        ((JavascriptExecutor) browser)
            .executeScript("return document.body.dataset['" + name + "'] || '0'");
    return Integer.parseInt(String.valueOf(value));
  }

  private List<String> row(String table, String channel) {
    return DashboardTables.row(browser, table, channel);
  }

  private String rowClass(String table, String channel) {
    return DashboardTables.rowClass(browser, table, channel);
  }

  private List<String> channels(String table) {
    return DashboardTables.channels(browser, table);
  }

  private double attribute(String css, String name) {
    return Double.parseDouble(browser.findElement(By.cssSelector(css)).getAttribute(name));
  }

  private String text(String css) {
    return browser.findElement(By.cssSelector(css)).getText();
  }
}
