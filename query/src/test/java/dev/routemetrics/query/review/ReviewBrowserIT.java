package dev.routemetrics.query.review;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.BilledBy;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.BillingKind;
import dev.routemetrics.events.Route;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.metrics.WindowSize;
import dev.routemetrics.query.HeadlessChromium;
import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.Reconciliation;
import dev.routemetrics.query.RevenueRows;
import dev.routemetrics.query.alerts.AlertRules;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.registry.ChannelRegistryPublisher;
import dev.routemetrics.sink.ChannelMetricsWriter;
import dev.routemetrics.sink.ChannelRegistryWriter;
import dev.routemetrics.sink.ChannelRevenueWriter;
import dev.routemetrics.sink.Located;
import dev.routemetrics.sink.RawEventsWriters;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.sink.migrations.Migrations;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The review end to end on the real ClickHouse and a real headless Chromium: a small dataset
 * written as the sink writes it, {@code RouteReview.write} as the command runs it, then the HTML
 * opened in Chromium (chromedriver, as DashboardBrowserIT does) and its numbers read off the page
 * and checked against arithmetic written out below; the PDF beside it must be a PDF with at least
 * one page. Without Chromium this test fails, saying how to install it: it never skips.
 *
 * <p>One day, 2026-11-03, the same numbers in its DAY window and in its 09:00 HOUR window:
 *
 * <pre>
 * channel       route          ctrl pts  requests identified trainable covered  USD gross / fee / net / by lab
 * direct-api    DIRECT_API     3         200      60         20        40       400 / 0 / 400 / 400
 * cloud-nimbus  CLOUD_PARTNER  0         600      0          3         12       1000 / 200 / 800 / 0
 * </pre>
 *
 * and cloud-nimbus's statement for 09:00–10:00: 630 requests, net 800.0000 USD. The registry is the
 * built-in one.
 */
class ReviewBrowserIT {

  static final Instant DAY = Instant.parse("2026-11-03T00:00:00Z");
  static final Instant HOUR = Instant.parse("2026-11-03T09:00:00Z");
  static final YearMonth MONTH = YearMonth.of(2026, 11);

  private String database;
  private ClickHouse clickHouse;
  private Path out;
  private Path profile;
  private WebDriver browser;

  @BeforeEach
  void start() throws Exception {
    Path chromium = PdfPrinter.chromiumBinary();
    assertThat(PdfPrinter.missing(chromium))
        .as("headless Chromium for the review's PDF and this test")
        .isNull();
    Path driver = Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver"));
    assertThat(Files.isExecutable(driver))
        .as(
            "chromedriver at "
                + driver
                + ": install it with deploy/install.sh"
                + " (apt-get install chromium-driver) or set CHROMEDRIVER")
        .isTrue();
    database = "it_review_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    clickHouse = new ClickHouse(new WarehouseConfig(Map.of(WarehouseConfig.DATABASE, database)));
    new Migrations(clickHouse, database).apply();
    try (Connection connection = clickHouse.connect()) {
      List<ChannelWindowMetrics> metrics = new ArrayList<>();
      List<ChannelWindowRevenue> revenue = new ArrayList<>();
      for (String size : List.of("DAY", "HOUR")) {
        Instant at = size.equals("DAY") ? DAY : HOUR;
        metrics.add(metrics(size, at, "direct-api", "DIRECT_API", null, 3, 200, 60, 20, 40));
        metrics.add(
            metrics(size, at, "cloud-nimbus", "CLOUD_PARTNER", "nimbus-cloud", 0, 600, 0, 3, 12));
        revenue.add(revenue(size, at, "direct-api", "DIRECT_API", null, "400", "0", "400", "400"));
        revenue.add(
            revenue(
                size,
                at,
                "cloud-nimbus",
                "CLOUD_PARTNER",
                "nimbus-cloud",
                "1000",
                "200",
                "800",
                "0"));
      }
      new ChannelMetricsWriter(database).insert(connection, metrics);
      new ChannelRevenueWriter(database).insert(connection, revenue);
      new ChannelRegistryWriter(database)
          .insert(
              connection,
              ChannelRegistry.builtIn().changes().stream()
                  .map(ChannelRegistryPublisher::toEvent)
                  .toList());
      RawEventsWriters.billing(database)
          .insert(
              connection,
              Located.inOrder(
                  "billing-events",
                  List.of(
                      BillingEvent.newBuilder()
                          .setEventId("evt-stmt-nimbus-1103")
                          .setEventTime(HOUR.plusSeconds(3600))
                          .setChannelId("cloud-nimbus")
                          .setAccountId("cloud-nimbus")
                          .setEndUserRef(null)
                          .setModelId("*")
                          .setBillingId("stmt-nimbus-1103")
                          .setKind(BillingKind.PARTNER_STATEMENT)
                          .setBilledBy(BilledBy.PARTNER)
                          .setCurrency("USD")
                          .setGrossAmount(null)
                          .setPartnerFee(money("0"))
                          .setNetAmount(money("800"))
                          .setPeriodStart(HOUR)
                          .setPeriodEnd(HOUR.plusSeconds(3600))
                          .setReportedRequestCount(630L)
                          .build())));
    }
    out = Path.of("target", "review-it-" + database);
    profile = Files.createTempDirectory("routemetrics-review-browser");
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    try (Connection connection = clickHouse.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + database);
    }
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  static ChannelWindowMetrics metrics(
      String size,
      Instant at,
      String channel,
      String route,
      String partner,
      int controlPoints,
      long requests,
      long identified,
      long trainable,
      long covered) {
    return ChannelWindowMetrics.newBuilder()
        .setChannelId(channel)
        .setWindowSize(WindowSize.valueOf(size))
        .setWindowStart(at)
        .setVersion(1)
        .setRoute(Route.valueOf(route))
        .setPartnerId(partner)
        .setControlPointsOwned(controlPoints)
        .setUsageEvents(requests)
        .setRequests(requests)
        .setInputTokens(requests * 50)
        .setOutputTokens(requests * 10)
        .setActiveAccounts(2)
        .setVisibleEndUsers(identified / 10)
        .setIdentifiedRequests(identified)
        .setErrorRequests(0)
        .setLatencyP50Ms(200.0)
        .setLatencyP95Ms(400.0)
        .setLatencyP99Ms(800.0)
        .setFullTelemetryRequests(partner == null ? requests : 0)
        .setFeedbackEvents(covered)
        .setTrainableFeedback(trainable)
        .setCoveredRequests(covered)
        .setNewestEventTime(at.plusSeconds(1800))
        .build();
  }

  static ChannelWindowRevenue revenue(
      String size,
      Instant at,
      String channel,
      String route,
      String partner,
      String gross,
      String fee,
      String net,
      String byLab) {
    return RevenueRows.revenue(size, at, channel, route, partner, 3, gross, fee, net, byLab);
  }

  static BigDecimal money(String amount) {
    return RevenueRows.money(amount);
  }

  @Test
  @DisplayName(
      "the review of a known month, opened in Chromium, shows the hand-computed numbers; its PDF"
          + " has pages")
  void shouldShowTheHandComputedNumbersInChromiumAndPrintAPdf() throws Exception {
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    Progress progress = Progress.to(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    ReviewData data =
        new ReviewData(
            new MetricsReader(clickHouse, database),
            new Reconciliation(clickHouse, database),
            AlertRules.defaults(),
            progress);
    RouteReview.Written written =
        new RouteReview(data, PdfPrinter.fromEnvironment(), progress)
            .write(MONTH, new BigDecimal("0.2"), out);

    assertThat(written.html().getFileName().toString()).isEqualTo("route-review-2026-11.html");
    assertThat(written.pdf().getFileName().toString()).isEqualTo("route-review-2026-11.pdf");
    assertThat(stderr.toString(StandardCharsets.UTF_8))
        .contains(
            "reading DAY windows of 2026-11",
            "figures per route",
            "what-if",
            "rendering HTML",
            "printing PDF",
            "done:")
        .containsPattern("\\[review\\] +[0-9]+\\.[0-9] s");

    browser = HeadlessChromium.start(profile, "1200,1600");
    browser.get(written.html().toAbsolutePath().toUri().toString());
    assertThat(browser.getTitle()).isEqualTo("Route review, November 2026");

    assertThat(text("all.requests")).isEqualTo("800"); // 200 + 600
    assertThat(text("route.DIRECT_API.share")).isEqualTo("25.0 %"); // 200 / 800
    assertThat(text("route.CLOUD_PARTNER.share")).isEqualTo("75.0 %");
    assertThat(text("route.DIRECT_API.identity")).isEqualTo("30.0 %"); // 60 / 200
    assertThat(text("route.DIRECT_API.control")).isEqualTo("0.60"); // (3/6 + 0.3 + 400/400) / 3
    assertThat(text("route.CLOUD_PARTNER.control")).isEqualTo("0.00"); // (0 + 0 + 0) / 3
    assertThat(text("route.CLOUD_PARTNER.coverage")).isEqualTo("2.0 %"); // 12 / 600
    assertThat(text("route.CLOUD_PARTNER.trainable")).isEqualTo("0.50 %"); // 3 / 600
    assertThat(text("route.CLOUD_PARTNER.loss")).isEqualTo("95.0 %"); // 1 − 0.005 / (20 / 200)
    assertThat(text("route.CLOUD_PARTNER.lost")).isEqualTo("57"); // 0.1 × 600 − 3
    assertThat(text("route.CLOUD_PARTNER.net")).isEqualTo("800.0000 USD");
    assertThat(text("route.CLOUD_PARTNER.owner")).isEqualTo("PARTNER");
    assertThat(text("finance.partner.USD.fee")).isEqualTo("200.0000 USD");
    assertThat(text("finance.partner.USD.take")).isEqualTo("20.0 %"); // 200 / 1000
    assertThat(text("finance.direct.USD.net")).isEqualTo("400.0000 USD");
    // cloud-nimbus: top quartile of two busy channels (one), control 0 < 0.34, on the month and its
    // one day.
    assertThat(text("flag.vwc.cloud-nimbus.days")).isEqualTo("1 of 1");
    // The statement: 630 stated against 600 metered = +5.00 %, beyond ±2 %; net 800 against 800.
    assertThat(text("flag.recon.stmt-nimbus-1103.requestGap")).isEqualTo("+5.00 %");
    assertThat(text("flag.recon.stmt-nimbus-1103.netGap")).isEqualTo("+0.00 %");
    // What-if, 20 % of cloud-nimbus to direct-api: m = 120 moves from score 0 to 0.6: +120 × 0.6 /
    // 800 = +0.090;
    // at risk 0.2 × 800 = 160.0000 USD of the lab's 1200: 13.33 %; net 120 × 400/200 − 160 =
    // +80.0000 USD.
    assertThat(text("whatif.top.source")).isEqualTo("cloud-nimbus");
    assertThat(text("whatif.top.target")).isEqualTo("direct-api");
    assertThat(text("whatif.top.fraction")).isEqualTo("20 %");
    assertThat(text("whatif.top.gain")).isEqualTo("+0.090");
    assertThat(text("whatif.top.risk")).isEqualTo("160.0000 USD");
    assertThat(text("whatif.1.riskPercent")).isEqualTo("13.33 %");
    assertThat(text("whatif.1.net")).isEqualTo("80.0000 USD");
    assertThat(text("route.CLOUD_PARTNER.sentence"))
        .isEqualTo(
            "Cloud partner carried 75.0 % of November 2026's requests (600) through cloud-nimbus."
                + " Of the six control points the lab holds 0.0, partners 5.0 and customers 1.0 per"
                + " request; the lab saw the end user on 0.0 % of requests, billed 0.0 % of the net"
                + " revenue, and had trainable feedback on 0.50 % of requests against 10.00 % on"
                + " the direct routes. The partner, nimbus-cloud, owns the path from capability to"
                + " use (control score 0.00).");
    // The daily chart: one bar, on the 3rd, as tall as the plot (86 px) because it is the month's
    // largest.
    WebElement bar =
        browser.findElement(
            By.cssSelector(
                "[data-k='route.CLOUD_PARTNER.chart.requests'] rect[data-day='2026-11-03']"));
    assertThat(bar.getAttribute("data-value")).isEqualTo("600");
    assertThat(bar.getAttribute("height")).isEqualTo("86.00");
    assertThat(
            browser.findElements(
                By.cssSelector("[data-k='route.CLOUD_PARTNER.chart.requests'] rect")))
        .hasSize(30);

    byte[] pdf = Files.readAllBytes(written.pdf());
    assertThat(PdfPrinter.isPdf(written.pdf())).as("starts with %PDF-").isTrue();
    assertThat(pages(pdf)).as("pages in the PDF").isGreaterThanOrEqualTo(1);
  }

  private String text(String key) {
    return browser.findElement(By.cssSelector("[data-k='" + key + "']")).getText();
  }

  /**
   * Page objects ({@code /Type /Page}, not {@code /Pages}) in the PDF's uncompressed object
   * headers.
   */
  static int pages(byte[] pdf) {
    Matcher m =
        Pattern.compile("/Type\\s*/Page(?![a-zA-Z])")
            .matcher(new String(pdf, StandardCharsets.ISO_8859_1));
    int pages = 0;
    while (m.find()) {
      pages++;
    }
    return pages;
  }
}
