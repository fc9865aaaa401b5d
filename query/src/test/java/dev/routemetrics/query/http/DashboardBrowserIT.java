package dev.routemetrics.query.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.Route;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.metrics.WindowSize;
import dev.routemetrics.query.HeadlessChromium;
import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.QueryConfig;
import dev.routemetrics.query.RevenueRows;
import dev.routemetrics.query.alerts.AlertEvaluator;
import dev.routemetrics.query.alerts.AlertRules;
import dev.routemetrics.query.alerts.WarehouseInputs;
import dev.routemetrics.schemas.access.ApiKeys;
import dev.routemetrics.sink.ChannelMetricsWriter;
import dev.routemetrics.sink.ChannelRevenueWriter;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.migrations.Migrations;
import java.io.File;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in a real headless Chromium against a real ClickHouse: a small hand-made dataset,
 * every number on screen checked against arithmetic written out below, then a channel filter, the
 * URL, and a reload; and what a partner's key shows. The page loads without a key but shows no data
 * until one is entered. Saves the screenshots README.md shows (docs/screenshots/).
 */
class DashboardBrowserIT {

  static final Instant HOUR = Instant.parse("2026-11-01T10:00:00Z");
  static final Instant DAY = Instant.parse("2026-11-01T00:00:00Z");
  static final Instant DAY_BEFORE = Instant.parse("2026-10-31T00:00:00Z");

  /** The server's clock: freshness is measured against it. */
  static final Instant NOW = Instant.parse("2026-11-01T11:00:00Z");

  // refresh=0: the page must not redraw itself while the test reads it (a loaded machine took over
  // 30 s).
  static final String RANGE =
      "from=2026-10-31T00:00:00Z&until=2026-11-02T00:00:00Z&window=HOUR&refresh=0";
  static final Path SCREENSHOTS = Path.of("..", "docs", "screenshots");

  private String database;
  private ClickHouse clickHouse;
  private QueryServer server;
  private WebDriver browser;
  private Path profile;
  private Path keys;
  private String labKey;
  private String nimbusKey;

  @BeforeEach
  void start() throws Exception {
    database = "it_dashboard_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    keys = Files.createTempDirectory("routemetrics-keys").resolve("api-keys.json");
    labKey = ApiKeys.add(keys, "lab-ops", null);
    nimbusKey =
        ApiKeys.add(
            keys,
            "nimbus-portal",
            "nimbus-cloud"); // cloud-nimbus's partner in the built-in registry
    QueryConfig config =
        new QueryConfig(
            Map.of(QueryConfig.DATABASE, database, QueryConfig.API_KEYS_FILE, keys.toString()));
    clickHouse = new ClickHouse(config);
    new Migrations(clickHouse, database).apply();
    writeDataset();
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    AlertEvaluator alerts =
        new AlertEvaluator(
            AlertRules.defaults().rules(),
            new WarehouseInputs(new MetricsReader(clickHouse, database)),
            List.of(),
            10,
            clock);
    alerts.evaluate();
    server = new QueryServer(config, "127.0.0.1", 0, clock, alerts).start();
    profile = Files.createTempDirectory("routemetrics-chromium");
    browser = chromium(profile);
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

  static WebDriver chromium(Path profile) {
    return HeadlessChromium.start(profile, "1400,2100");
  }

  /**
   * One hour (10:00 UTC) of three channels, and two days of revenue:
   *
   * <pre>
   * channel        route          ctrl pts  requests identified errors p95   covered trainable newest
   * app-assistant  CONSUMER_APP   6         200      200        2      300   50      30        10:59:00
   * api-public     DIRECT_API     4         300      60         30     800   30      15        10:58:30
   * cloud-nimbus   CLOUD_PARTNER  0         500      0          5      1200  10      0         10:30:00
   * </pre>
   *
   * Revenue, USD, the same in the 10:00 hour and on 2026-11-01 (gross / partner fee / net / net
   * billed by lab): app-assistant 100 / 0 / 100 / 100; api-public 300 / 0 / 300 / 300; cloud-nimbus
   * 1000 / 300 / 700 / 0. On 2026-10-31: api-public 200 / 0 / 200 / 200; cloud-nimbus 500 / 100 /
   * 400 / 0.
   */
  private void writeDataset() throws Exception {
    try (Connection connection = clickHouse.connect()) {
      new ChannelMetricsWriter(database)
          .insert(
              connection,
              List.of(
                  metrics(
                      "app-assistant",
                      "CONSUMER_APP",
                      null,
                      6,
                      200,
                      200,
                      2,
                      300.0,
                      50,
                      30,
                      "10:59:00"),
                  metrics(
                      "api-public", "DIRECT_API", null, 4, 300, 60, 30, 800.0, 30, 15, "10:58:30"),
                  metrics(
                      "cloud-nimbus",
                      "CLOUD_PARTNER",
                      "nimbus-cloud",
                      0,
                      500,
                      0,
                      5,
                      1200.0,
                      10,
                      0,
                      "10:30:00")));
      ChannelRevenueWriter revenue = new ChannelRevenueWriter(database);
      for (var window : List.of(Map.entry("HOUR", HOUR), Map.entry("DAY", DAY))) {
        revenue.insert(
            connection,
            List.of(
                revenue(
                    window.getKey(),
                    window.getValue(),
                    "app-assistant",
                    "CONSUMER_APP",
                    null,
                    "100",
                    "0",
                    "100",
                    "100"),
                revenue(
                    window.getKey(),
                    window.getValue(),
                    "api-public",
                    "DIRECT_API",
                    null,
                    "300",
                    "0",
                    "300",
                    "300"),
                revenue(
                    window.getKey(),
                    window.getValue(),
                    "cloud-nimbus",
                    "CLOUD_PARTNER",
                    "nimbus-cloud",
                    "1000",
                    "300",
                    "700",
                    "0")));
      }
      revenue.insert(
          connection,
          List.of(
              revenue(
                  "DAY", DAY_BEFORE, "api-public", "DIRECT_API", null, "200", "0", "200", "200"),
              revenue(
                  "DAY",
                  DAY_BEFORE,
                  "cloud-nimbus",
                  "CLOUD_PARTNER",
                  "nimbus-cloud",
                  "500",
                  "100",
                  "400",
                  "0")));
    }
  }

  static ChannelWindowMetrics metrics(
      String channel,
      String route,
      String partner,
      int controlPoints,
      long requests,
      long identified,
      long errors,
      double p95,
      long covered,
      long trainable,
      String newest) {
    return metrics(
        HOUR,
        channel,
        route,
        partner,
        controlPoints,
        requests,
        identified,
        errors,
        p95,
        covered,
        trainable,
        newest);
  }

  static ChannelWindowMetrics metrics(
      Instant hour,
      String channel,
      String route,
      String partner,
      int controlPoints,
      long requests,
      long identified,
      long errors,
      double p95,
      long covered,
      long trainable,
      String newest) {
    return ChannelWindowMetrics.newBuilder()
        .setChannelId(channel)
        .setWindowSize(WindowSize.HOUR)
        .setWindowStart(hour)
        .setVersion(1)
        .setRoute(Route.valueOf(route))
        .setPartnerId(partner)
        .setControlPointsOwned(controlPoints)
        .setUsageEvents(requests)
        .setRequests(requests)
        .setInputTokens(requests * 100)
        .setOutputTokens(requests * 20)
        .setActiveAccounts(3)
        .setVisibleEndUsers(identified / 10)
        .setIdentifiedRequests(identified)
        .setErrorRequests(errors)
        .setLatencyP50Ms(p95 / 2)
        .setLatencyP95Ms(p95)
        .setLatencyP99Ms(p95 * 2)
        .setFullTelemetryRequests(partner == null ? requests : 0)
        .setFeedbackEvents(covered + 5)
        .setTrainableFeedback(trainable)
        .setCoveredRequests(covered)
        .setNewestEventTime(Instant.parse("2026-11-01T" + newest + "Z"))
        .build();
  }

  static ChannelWindowRevenue revenue(
      String windowSize,
      Instant start,
      String channel,
      String route,
      String partner,
      String gross,
      String fee,
      String net,
      String billedByLab) {
    return RevenueRows.revenue(
        windowSize, start, channel, route, partner, 2, gross, fee, net, billedByLab);
  }

  static BigDecimal money(String amount) {
    return RevenueRows.money(amount);
  }

  @Test
  @DisplayName(
      "shows the numbers computed by hand, keeps a channel filter in the URL through a reload")
  void shouldShowTheHandComputedNumbersAndKeepTheChannelFilterInTheUrl() throws Exception {
    String base = "http://127.0.0.1:" + server.port() + "/";
    browser.get(base + "?" + RANGE);
    assertShowsNothingWithoutAKey("an API key is required");
    useKey(labKey);
    awaitLoads(1);

    // Health, now = 11:00:00. Error rate = errors / requests; freshness = now − newest event;
    // unhealthy above 5% errors or 900 s without an event.
    assertThat(row("health", "app-assistant"))
        .containsExactly(
            "CONSUMER_APP",
            "app-assistant",
            "200",
            "1.0%",
            "300 ms",
            "60 s",
            "ok"); // 2/200; 11:00:00 − 10:59:00
    assertThat(row("health", "api-public"))
        .containsExactly(
            "DIRECT_API",
            "api-public",
            "300",
            "10.0%",
            "800 ms",
            "90 s",
            "UNHEALTHY: error rate 10.0% > 5.0%"); // 30/300
    assertThat(row("health", "cloud-nimbus"))
        .containsExactly(
            "CLOUD_PARTNER",
            "cloud-nimbus",
            "500",
            "1.0%",
            "1,200 ms",
            "30 min", // 5/500; 11:00 − 10:30 = 1800 s
            "UNHEALTHY: no event for 1800 s > 900 s");
    assertThat(rowClass("health", "cloud-nimbus")).isEqualTo("unhealthy");
    assertThat(rowClass("health", "app-assistant")).isEmpty();

    // Reach vs control, 10:00 window, 1000 requests in all. control score = (points/6 + identity +
    // billing) / 3.
    // app: 200/1000 = 20%, (6/6 + 200/200 + 100/100) / 3 = 1.00
    // api: 300/1000 = 30%, (4/6 + 60/300 + 300/300) / 3 = (0.667 + 0.2 + 1) / 3 = 0.622
    // nimbus: 500/1000 = 50%, (0/6 + 0/500 + 0/700) / 3 = 0; the top quartile is ceil(3/4) = 1
    // channel,
    // nimbus, and 0 < 0.34: volume without control.
    assertThat(row("reach", "app-assistant"))
        .containsExactly("app-assistant", "CONSUMER_APP", "200", "20.0%", "1.00", "100.00", "");
    assertThat(row("reach", "api-public"))
        .containsExactly("api-public", "DIRECT_API", "300", "30.0%", "0.62", "300.00", "");
    assertThat(row("reach", "cloud-nimbus"))
        .containsExactly(
            "cloud-nimbus",
            "CLOUD_PARTNER",
            "500",
            "50.0%",
            "0.00",
            "700.00",
            "VOLUME WITHOUT CONTROL");
    assertThat(rowClass("reach", "cloud-nimbus")).isEqualTo("flagged");
    assertThat(text("#partner-concentration"))
        .isEqualTo("1.000"); // one partner holds all indirect requests: 1²

    // Finance, USD per day. partner take = fee / gross, capture rate = net / gross.
    assertThat(financeRows())
        .containsExactly(
            List.of("2026-10-31", "direct", "200.00", "0.00", "200.00", "0.0%", "100.0%"),
            List.of(
                "2026-10-31",
                "partner",
                "500.00",
                "100.00",
                "400.00",
                "20.0%",
                "80.0%"), // 100/500, 400/500
            List.of(
                "2026-11-01", "direct", "400.00", "0.00", "400.00", "0.0%", "100.0%"), // 100 + 300
            List.of(
                "2026-11-01",
                "partner",
                "1,000.00",
                "300.00",
                "700.00",
                "30.0%",
                "70.0%")); // 300/1000, 700/1000
    assertThat(text("#reconciliation tbody"))
        .isEqualTo("no data in this range"); // no statement in this dataset

    // Learning. Direct trainable rate pooled = (30 + 15) / (200 + 300) = 0.09.
    // app: coverage 50/200 = 25%, trainable 30/200 = 15%, loss = clip(1 − 0.15/0.09) = 0, lost =
    // max(0, 0.09·200 − 30) = 0
    // api: 30/300 = 10%, 15/300 = 5%, loss = 1 − 0.05/0.09 = 0.444, lost = 0.09·300 − 15 = 12
    // nimbus: 10/500 = 2%, 0/500 = 0%, loss = 1 − 0 = 1, lost = 0.09·500 − 0 = 45
    assertThat(row("learning", "app-assistant"))
        .containsExactly("CONSUMER_APP", "app-assistant", "200", "25.0%", "15.0%", "0.0%", "0.0");
    assertThat(row("learning", "api-public"))
        .containsExactly("DIRECT_API", "api-public", "300", "10.0%", "5.0%", "44.4%", "12.0");
    assertThat(row("learning", "cloud-nimbus"))
        .containsExactly("CLOUD_PARTNER", "cloud-nimbus", "500", "2.0%", "0.0%", "100.0%", "45.0");
    // Alerts, evaluated once by the shipped rules at 11:00: cloud-nimbus is volume without control
    // in the
    // latest hour (above). Freshness reads day windows, and this dataset has hours only: nothing
    // else fires.
    assertThat(
            browser.findElements(By.cssSelector("#alerts tbody tr")).stream()
                .map(tr -> tr.getAttribute("data-key")))
        .containsExactly("volume-without-control|cloud-nimbus");
    assertThat(
            browser.findElements(By.cssSelector("#alerts tbody tr td")).stream()
                .map(WebElement::getText)
                .limit(4))
        .containsExactly(
            "FIRING", "volume-without-control", "cloud-nimbus", "2026-11-01 11:00 UTC");
    assertThat(
            (Boolean) js("return typeof Chart === 'function' && !!Chart.getChart('reach-chart')"))
        .isTrue();
    screenshot("dashboard.png");

    // Filter on one channel: the URL says so, the tables show only it, and its share and learning
    // loss stay what they were (they are defined over all channels, not the selected ones).
    browser.findElement(By.cssSelector("#channels input[value='api-public']")).click();
    int loads = loads();
    browser.findElement(By.id("apply")).click();
    awaitLoads(loads + 1);
    assertThat(browser.getCurrentUrl())
        .contains("channel=api-public")
        .contains("from=2026-10-31T00%3A00%3A00Z");
    assertFiltered();
    screenshot("dashboard-filtered.png");

    browser.navigate().refresh();
    awaitLoads(1);
    assertThat(browser.getCurrentUrl()).contains("channel=api-public");
    assertThat(
            browser.findElement(By.cssSelector("#channels input[value='api-public']")).isSelected())
        .isTrue();
    assertThat(
            browser
                .findElement(By.cssSelector("#channels input[value='cloud-nimbus']"))
                .isSelected())
        .isFalse();
    assertFiltered();

    // A preset range is relative to the browser's now (not the server's fixed clock): the last 15
    // minutes
    // hold none of this 2026-11-01 dataset. The URL keeps the channel and drops from/until.
    loads = loads();
    browser.findElement(By.cssSelector("#range option[value='15m']")).click();
    awaitLoads(loads + 1);
    assertThat(browser.getCurrentUrl())
        .contains("range=15m", "channel=api-public")
        .doesNotContain("from=");
    assertThat(
            browser.findElements(By.cssSelector("#health tbody td")).stream()
                .map(WebElement::getText))
        .containsExactly("no data in this range");
    browser.navigate().refresh();
    awaitLoads(1);
    assertThat(browser.findElement(By.id("range")).getAttribute("value")).isEqualTo("15m");
  }

  @Test
  @DisplayName(
      "a partner's key shows its own channel only; the views comparing partners say they are not"
          + " available")
  void shouldShowAPartnerOnlyItsOwnChannel() throws Exception {
    browser.get("http://127.0.0.1:" + server.port() + "/?" + RANGE);
    useKey(nimbusKey);
    awaitLoads(1);

    assertThat(channels("health")).containsExactly("cloud-nimbus");
    assertThat(row("health", "cloud-nimbus"))
        .containsExactly(
            "CLOUD_PARTNER",
            "cloud-nimbus",
            "500",
            "1.0%",
            "1,200 ms",
            "30 min",
            "UNHEALTHY: no event for 1800 s > 900 s");
    assertThat(
            browser.findElements(By.cssSelector("#channels input")).stream()
                .map(i -> i.getAttribute("value")))
        .containsExactly("cloud-nimbus");
    // Reach vs control and alerts compare partners with each other and with the lab's own routes.
    assertThat(text("#reach tbody"))
        .startsWith("not available to this key: a partner's key may not read reach-control");
    assertThat(text("#alerts tbody"))
        .startsWith("not available to this key: a partner's key may not read alerts");
    assertThat(text("#partner-concentration")).isEqualTo("–");
    // Finance: the partner side only, nimbus's own revenue: 500 / 100 / 400 on 10-31, 1000 / 300 /
    // 700 on 11-01.
    assertThat(financeRows())
        .containsExactly(
            List.of("2026-10-31", "partner", "500.00", "100.00", "400.00", "20.0%", "80.0%"),
            List.of("2026-11-01", "partner", "1,000.00", "300.00", "700.00", "30.0%", "70.0%"));
    // Learning: its own rates; loss and lost signals are measured against the lab's direct routes:
    // not shown.
    assertThat(row("learning", "cloud-nimbus"))
        .containsExactly("CLOUD_PARTNER", "cloud-nimbus", "500", "2.0%", "0.0%", "–", "–");
    // Trend: its own line only; request share would compare it with every other route.
    assertThat(
            browser.findElements(By.cssSelector("#trend-requests svg path")).stream()
                .map(p -> p.getAttribute("data-channel")))
        .containsExactly("cloud-nimbus");
    assertThat(points("errors", "cloud-nimbus"))
        .containsExactly("cloud-nimbus 2026-11-01 10:00:00 UTC: 1.0%"); // 5 / 500
    assertThat(browser.findElements(By.cssSelector("#trend-share svg path"))).isEmpty();
    assertThat(text("#trend-share")).contains("not available to this key");
    assertThat(browser.getPageSource())
        .doesNotContain("api-public")
        .doesNotContain("app-assistant");
    screenshot("dashboard-partner.png");

    browser.findElement(By.id("forget-key")).click();
    assertShowsNothingWithoutAKey("an API key is required");
    useKey("rm_not-a-key");
    assertShowsNothingWithoutAKey("the API key was refused");
  }

  @Test
  @DisplayName(
      "draws the trend: a line per channel in each chart, its points the hand-computed values of"
          + " each hour")
  void shouldDrawTheTrendOfEachChannel() throws Exception {
    // A 09:00 hour before the dataset's 10:00 one: cloud-nimbus carries 80% of the traffic during a
    // latency incident.
    try (Connection connection = clickHouse.connect()) {
      Instant nine = HOUR.minus(Duration.ofHours(1));
      new ChannelMetricsWriter(database)
          .insert(
              connection,
              List.of(
                  metrics(
                      nine,
                      "app-assistant",
                      "CONSUMER_APP",
                      null,
                      6,
                      100,
                      100,
                      0,
                      250.0,
                      20,
                      10,
                      "09:59:00"),
                  metrics(
                      nine,
                      "api-public",
                      "DIRECT_API",
                      null,
                      4,
                      100,
                      20,
                      5,
                      700.0,
                      10,
                      5,
                      "09:59:00"),
                  metrics(
                      nine,
                      "cloud-nimbus",
                      "CLOUD_PARTNER",
                      "nimbus-cloud",
                      0,
                      800,
                      0,
                      40,
                      3000.0,
                      10,
                      0,
                      "09:59:00")));
    }
    browser.get("http://127.0.0.1:" + server.port() + "/?" + RANGE);
    useKey(labKey);
    awaitLoads(1);

    for (String chart : List.of("requests", "share", "errors", "p95")) {
      assertThat(
              browser.findElements(By.cssSelector("#trend-" + chart + " svg path")).stream()
                  .map(p -> p.getAttribute("data-channel")))
          .as(chart)
          .containsExactly("api-public", "app-assistant", "cloud-nimbus");
      // Two hours: a move to the first point and a line to the second.
      assertThat(browser.findElements(By.cssSelector("#trend-" + chart + " svg path")))
          .allSatisfy(
              p -> assertThat(p.getAttribute("d")).matches("M[0-9.]+,[0-9.]+ L[0-9.]+,[0-9.]+"));
    }
    // 09:00: 100 + 100 + 800 = 1000 requests; 10:00: 200 + 300 + 500 = 1000.
    // cloud-nimbus: share 800/1000 = 80.0%, then 500/1000 = 50.0%; errors 40/800 = 5.0%, then 5/500
    // = 1.0%;
    // p95 3,000 ms, then 1,200 ms.
    assertThat(points("requests", "cloud-nimbus"))
        .containsExactly(
            "cloud-nimbus 2026-11-01 09:00:00 UTC: 800",
            "cloud-nimbus 2026-11-01 10:00:00 UTC: 500");
    assertThat(points("share", "cloud-nimbus"))
        .containsExactly(
            "cloud-nimbus 2026-11-01 09:00:00 UTC: 80.0%",
            "cloud-nimbus 2026-11-01 10:00:00 UTC: 50.0%");
    assertThat(points("errors", "cloud-nimbus"))
        .containsExactly(
            "cloud-nimbus 2026-11-01 09:00:00 UTC: 5.0%",
            "cloud-nimbus 2026-11-01 10:00:00 UTC: 1.0%");
    assertThat(points("p95", "cloud-nimbus"))
        .containsExactly(
            "cloud-nimbus 2026-11-01 09:00:00 UTC: 3,000 ms",
            "cloud-nimbus 2026-11-01 10:00:00 UTC: 1,200 ms");
    // api-public: share 100/1000 = 10.0%, then 300/1000 = 30.0%; errors 5/100 = 5.0%, then 30/300 =
    // 10.0%.
    assertThat(points("share", "api-public"))
        .containsExactly(
            "api-public 2026-11-01 09:00:00 UTC: 10.0%",
            "api-public 2026-11-01 10:00:00 UTC: 30.0%");
    assertThat(points("errors", "api-public"))
        .containsExactly(
            "api-public 2026-11-01 09:00:00 UTC: 5.0%",
            "api-public 2026-11-01 10:00:00 UTC: 10.0%");
    // The lines go the right way: nimbus's share falls (its second point lower on screen, a larger
    // y), and the
    // largest value of a chart is at its top (3,000 ms is the p95 chart's maximum).
    List<Double> share = cy("share", "cloud-nimbus");
    assertThat(share.get(1)).isGreaterThan(share.get(0));
    assertThat(cy("p95", "cloud-nimbus").get(0)).isEqualTo(10.0);
    assertThat(text("#trend-legend"))
        .contains("api-public")
        .contains("app-assistant")
        .contains("cloud-nimbus");
    Files.createDirectories(SCREENSHOTS);
    Path png =
        browser.findElement(By.id("trend-section")).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(
        png, SCREENSHOTS.resolve("dashboard-trend.png"), StandardCopyOption.REPLACE_EXISTING);

    // The channel filter keeps one line, with its share still of all channels.
    browser.findElement(By.cssSelector("#channels input[value='cloud-nimbus']")).click();
    int loads = loads();
    browser.findElement(By.id("apply")).click();
    awaitLoads(loads + 1);
    assertThat(
            browser.findElements(By.cssSelector("#trend-share svg path")).stream()
                .map(p -> p.getAttribute("data-channel")))
        .containsExactly("cloud-nimbus");
    assertThat(points("share", "cloud-nimbus"))
        .containsExactly(
            "cloud-nimbus 2026-11-01 09:00:00 UTC: 80.0%",
            "cloud-nimbus 2026-11-01 10:00:00 UTC: 50.0%");
  }

  /** The tooltips of a channel's points in one trend chart, in time order. */
  private List<String> points(String chart, String channel) {
    return browser
        .findElements(
            By.cssSelector("#trend-" + chart + " svg circle[data-channel='" + channel + "'] title"))
        .stream()
        .map(t -> t.getAttribute("textContent"))
        .toList();
  }

  private List<Double> cy(String chart, String channel) {
    return browser
        .findElements(
            By.cssSelector("#trend-" + chart + " svg circle[data-channel='" + channel + "']"))
        .stream()
        .map(c -> Double.parseDouble(c.getAttribute("cy")))
        .toList();
  }

  private void useKey(String key) {
    WebElement input = browser.findElement(By.id("api-key"));
    input.clear();
    input.sendKeys(key);
    browser.findElement(By.id("use-key")).click();
  }

  /** The status asks for a key and no channel is anywhere on the page. */
  private void assertShowsNothingWithoutAKey(String status) throws InterruptedException {
    await("status '" + status + "'; was: " + statusText(), () -> statusText().contains(status));
    assertThat(browser.findElements(By.cssSelector("tr[data-channel], #channels input"))).isEmpty();
    assertThat(browser.getPageSource()).doesNotContain("cloud-nimbus").doesNotContain("api-public");
  }

  private void assertFiltered() {
    assertThat(channels("health")).containsExactly("api-public");
    assertThat(row("health", "api-public")).contains("300", "10.0%");
    assertThat(channels("reach")).containsExactly("api-public");
    assertThat(row("reach", "api-public")).contains("30.0%", "0.62"); // still 300/1000, not 300/300
    assertThat(row("learning", "api-public"))
        .contains("44.4%", "12.0"); // still against the pooled 0.09
    assertThat(financeRows())
        .containsExactly(
            List.of("2026-10-31", "direct", "200.00", "0.00", "200.00", "0.0%", "100.0%"),
            List.of("2026-11-01", "direct", "300.00", "0.00", "300.00", "0.0%", "100.0%"));
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

  private List<List<String>> financeRows() {
    return browser.findElements(By.cssSelector("#finance tbody tr")).stream()
        .map(tr -> tr.findElements(By.tagName("td")).stream().map(WebElement::getText).toList())
        .toList();
  }

  private String text(String css) {
    return browser.findElement(By.cssSelector(css)).getText();
  }

  private Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  private int loads() {
    Object loaded = js("return document.body.dataset.loaded || '0'");
    return Integer.parseInt(String.valueOf(loaded));
  }

  private void awaitLoads(int atLeast) throws InterruptedException {
    await(
        "dashboard loaded " + atLeast + " time(s); status: " + statusText(),
        () -> loads() >= atLeast);
  }

  private String statusText() {
    try {
      return text("#status");
    } catch (RuntimeException e) {
      return "?";
    }
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(100);
    }
  }

  private void screenshot(String name) throws Exception {
    Files.createDirectories(SCREENSHOTS);
    Path png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(png, SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
