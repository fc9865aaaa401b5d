package dev.routemetrics.query.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.routemetrics.query.ChannelWindow;
import dev.routemetrics.query.ControlPointMap;
import dev.routemetrics.query.Reconciliation;
import dev.routemetrics.query.alerts.AlertRules;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The review's figures, flags, what-if and sentences, and the page and charts drawn from them,
 * against arithmetic written out here. DAY windows (the DAY and HOUR rows hold the same numbers:
 * all of a day's traffic in its 10:00 hour):
 *
 * <pre>
 * channel           route        cp  day         requests identified trainable covered  net USD (fee, by lab)
 * direct-api        DIRECT_API   3   2026-11-01  100      20         10        30       100 (0, 100)
 *                                    2026-11-02  300      60         30        90       300 (0, 300)
 * consumer-app      CONSUMER_APP 6   2026-11-01  100      100        20        40        50 (0, 50)
 * market-routerhub  MARKETPLACE  0   2026-10-31  500      0          0         50       (before the month)
 *                                    2026-11-01  600      0          0         6        570 (30, 0), gross 600
 *                                    2026-11-02  700      0          1         7        665 (35, 0), gross 700
 * </pre>
 */
class ReviewTest {

  static final YearMonth MONTH = YearMonth.of(2026, 11);
  static final Instant OCT31 = Instant.parse("2026-10-31T00:00:00Z");
  static final Instant NOV1 = Instant.parse("2026-11-01T00:00:00Z");
  static final Instant NOV2 = Instant.parse("2026-11-02T00:00:00Z");

  static ChannelWindow.Usage usage(
      Instant start,
      String channel,
      String route,
      String partner,
      int cp,
      long requests,
      long identified,
      long trainable,
      long covered) {
    return new ChannelWindow.Usage(
        start,
        channel,
        route,
        partner,
        cp,
        requests,
        requests,
        requests * 10,
        requests * 2,
        1,
        0,
        identified,
        0,
        100.0,
        200.0,
        300.0,
        partner == null ? requests : 0,
        trainable,
        trainable,
        covered,
        start);
  }

  static ChannelWindow.Money money(
      Instant start,
      String channel,
      String route,
      String partner,
      String gross,
      String fee,
      String net,
      String byLab) {
    return new ChannelWindow.Money(
        start,
        channel,
        "USD",
        route,
        partner,
        1,
        new BigDecimal(gross),
        new BigDecimal(net),
        new BigDecimal(fee),
        new BigDecimal(net),
        new BigDecimal(byLab));
  }

  static List<ChannelWindow.Usage> usage(Instant nov1, Instant nov2, boolean withOctober) {
    List<ChannelWindow.Usage> rows =
        new java.util.ArrayList<>(
            List.of(
                usage(nov1, "direct-api", "DIRECT_API", null, 3, 100, 20, 10, 30),
                usage(nov2, "direct-api", "DIRECT_API", null, 3, 300, 60, 30, 90),
                usage(nov1, "consumer-app", "CONSUMER_APP", null, 6, 100, 100, 20, 40),
                usage(nov1, "market-routerhub", "MARKETPLACE", "routerhub", 0, 600, 0, 0, 6),
                usage(nov2, "market-routerhub", "MARKETPLACE", "routerhub", 0, 700, 0, 1, 7)));
    if (withOctober) {
      rows.add(0, usage(OCT31, "market-routerhub", "MARKETPLACE", "routerhub", 0, 500, 0, 0, 50));
    }
    return rows;
  }

  static List<ChannelWindow.Money> money(Instant nov1, Instant nov2) {
    return List.of(
        money(nov1, "direct-api", "DIRECT_API", null, "100", "0", "100", "100"),
        money(nov2, "direct-api", "DIRECT_API", null, "300", "0", "300", "300"),
        money(nov1, "consumer-app", "CONSUMER_APP", null, "50", "0", "50", "50"),
        money(nov1, "market-routerhub", "MARKETPLACE", "routerhub", "600", "30", "570", "0"),
        money(nov2, "market-routerhub", "MARKETPLACE", "routerhub", "700", "35", "665", "0"));
  }

  static ControlPointMap.Row owners(String channel, String route, String partner, String... six) {
    int lab = (int) java.util.Arrays.stream(six).filter("LAB"::equals).count();
    return new ControlPointMap.Row(
        channel,
        route,
        partner,
        "0",
        1,
        Instant.parse("2026-01-01T00:00:00Z"),
        six[0],
        six[1],
        six[2],
        six[3],
        six[4],
        six[5],
        lab,
        false);
  }

  static Review review() throws Exception {
    Instant h1 = NOV1.plusSeconds(10 * 3600);
    Instant h2 = NOV2.plusSeconds(10 * 3600);
    List<Reconciliation.Row> statements =
        List.of(
            new Reconciliation.Row(
                "stmt-ok",
                "market-routerhub",
                NOV1,
                NOV2,
                "USD",
                609L,
                600,
                1.5,
                new BigDecimal("572.8500"),
                new BigDecimal("570.0000"),
                0.5),
            new Reconciliation.Row(
                "stmt-gap",
                "market-routerhub",
                NOV2,
                NOV2.plusSeconds(86400),
                "USD",
                700L,
                700,
                0.0,
                new BigDecimal("643.7200"),
                new BigDecimal("665.0000"),
                -3.2));
    List<ControlPointMap.Row> registry =
        List.of(
            owners(
                "direct-api",
                "DIRECT_API",
                null,
                "CUSTOMER",
                "CUSTOMER",
                "LAB",
                "LAB",
                "LAB",
                "CUSTOMER"),
            owners("consumer-app", "CONSUMER_APP", null, "LAB", "LAB", "LAB", "LAB", "LAB", "LAB"),
            owners(
                "market-routerhub",
                "MARKETPLACE",
                "routerhub",
                "PARTNER",
                "CUSTOMER",
                "PARTNER",
                "PARTNER",
                "PARTNER",
                "PARTNER"));
    AlertRules.FeedbackCoverageDrop coverage =
        AlertRules.defaults().feedbackCoverageDrop(); // 0.5, 7 days, lag 1, 100 requests
    return ReviewData.assemble(
        new ReviewData.Inputs(
            MONTH,
            usage(NOV1, NOV2, true),
            money(NOV1, NOV2),
            usage(h1, h2, false),
            money(h1, h2),
            statements,
            registry,
            Instant.parse("2026-11-30T23:59:59Z"),
            coverage,
            2.0,
            new BigDecimal("0.2")),
        Progress.NONE);
  }

  static Review.RouteSection route(Review review, String route) {
    return review.routes().stream().filter(s -> s.route().equals(route)).findFirst().orElseThrow();
  }

  @Test
  @DisplayName(
      "month figures per route: reach, control, learning and finance as docs/domain.md defines"
          + " them")
  void shouldComputeTheMonthFiguresByHand() throws Exception {
    Review review = review();
    assertThat(review.routes())
        .extracting(Review.RouteSection::route)
        .containsExactly(
            "DIRECT_API",
            "CONSUMER_APP",
            "ENTERPRISE_PLATFORM",
            "CLOUD_PARTNER",
            "MARKETPLACE",
            "VERTICAL_WORKFLOW",
            "INTERNAL_PLATFORM");
    assertThat(review.all().requests())
        .isEqualTo(100 + 300 + 100 + 600 + 700); // 1800; October's 500 are not the month's

    Review.Figures api = route(review, "DIRECT_API").figures();
    assertThat(api.requests()).isEqualTo(400);
    assertThat(api.requestShare()).isCloseTo(400 / 1800.0, within(1e-12));
    assertThat(api.identityVisibility()).isCloseTo(80 / 400.0, within(1e-12));
    assertThat(api.billingOwnership()).isCloseTo(400 / 400.0, within(1e-12));
    assertThat(api.controlScore()).isCloseTo((3 / 6.0 + 0.2 + 1.0) / 3, within(1e-12)); // 0.5667
    assertThat(api.feedbackCoverage()).isCloseTo(120 / 400.0, within(1e-12));
    // Direct pool: (40 + 20) trainable / (400 + 100) requests = 0.12.
    assertThat(api.trainableRate()).isCloseTo(40 / 400.0, within(1e-12));
    assertThat(api.learningLoss()).isCloseTo(1 - 0.10 / 0.12, within(1e-12));
    assertThat(api.lostSignals()).isCloseTo(0.12 * 400 - 40, within(1e-9)); // 8

    Review.Figures market = route(review, "MARKETPLACE").figures();
    assertThat(market.requests()).isEqualTo(1300);
    assertThat(market.identityVisibility()).isEqualTo(0.0);
    assertThat(market.billingOwnership()).isEqualTo(0.0);
    assertThat(market.controlScore()).isEqualTo(0.0);
    assertThat(market.trainableRate()).isCloseTo(1 / 1300.0, within(1e-12));
    assertThat(market.learningLoss()).isCloseTo(1 - (1 / 1300.0) / 0.12, within(1e-12));
    assertThat(market.lostSignals()).isCloseTo(0.12 * 1300 - 1, within(1e-9)); // 155
    assertThat(market.finance())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.gross()).isEqualByComparingTo("1300"); // 600 + 700
              assertThat(f.partnerFee()).isEqualByComparingTo("65"); // 30 + 35
              assertThat(f.net()).isEqualByComparingTo("1235"); // 570 + 665
              assertThat(f.partnerTake()).isCloseTo(65 / 1300.0, within(1e-12));
            });
    assertThat(route(review, "CLOUD_PARTNER").figures().requests()).isZero();

    // Daily: the marketplace's requests, and the direct API's control score on both days.
    List<Review.Day> days = route(review, "MARKETPLACE").days();
    assertThat(days).hasSize(30);
    assertThat(days.get(0).requests()).isEqualTo(600);
    assertThat(days.get(1).requests()).isEqualTo(700);
    assertThat(days.get(2).requests()).isZero();
    assertThat(days.get(1).trainableRate()).isCloseTo(1 / 700.0, within(1e-12));
    assertThat(days.get(1).net()).containsEntry("USD", new BigDecimal("665"));
    assertThat(route(review, "DIRECT_API").days().get(1).controlScore())
        .isCloseTo((0.5 + 60 / 300.0 + 1) / 3, within(1e-12));
  }

  @Test
  @DisplayName(
      "flags by the views' own definitions and thresholds; the top what-if by control gained per 1"
          + " % of net at risk")
  void shouldFlagChannelsAndRankTheWhatIfsByHand() throws Exception {
    Review review = review();
    // Top quartile of three busy channels is one, the marketplace, with control 0 < 0.34: on the
    // month and both days.
    assertThat(review.flags().volumeWithoutControl())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.channelId()).isEqualTo("market-routerhub");
              assertThat(v.month()).isTrue();
              assertThat(v.daysFlagged()).isEqualTo(2);
              assertThat(v.daysWithTraffic()).isEqualTo(2);
            });
    assertThat(review.flags().rentedVolume()).isEmpty(); // two HOUR windows: no fit below 48
    assertThat(review.flags().reconciliationGaps())
        .extracting(Reconciliation.Row::billingId)
        .containsExactly("stmt-gap");
    // Coverage: Nov 1 is 6/600 = 1 % against Oct 31's 50/500 = 10 %: a drop of 0.9; Nov 2 is 7/700
    // = 1 % against
    // (50 + 6)/(500 + 600) = 5.09 %: 1 − 0.01 / (56/1100) = 0.8036. The direct API's Nov 2 (30 %)
    // equals its Nov 1.
    assertThat(review.flags().coverageDrops()).hasSize(2);
    assertThat(review.flags().coverageDrops().get(0).day()).isEqualTo(LocalDate.of(2026, 11, 1));
    assertThat(review.flags().coverageDrops().get(0).finding().value())
        .isCloseTo(0.9, within(1e-9));
    assertThat(review.flags().coverageDrops().get(1).finding().value())
        .isCloseTo(1 - 0.01 / (56 / 1100.0), within(1e-9));

    // What-if, 20 %, HOUR windows (Nov 1 10:00: direct-api 100 at 0.5667, consumer-app 100 at 1,
    // market 600 at 0;
    // Nov 2 10:00: direct-api 300, market 700). To consumer-app only Nov 1 counts (no target
    // requests on Nov 2):
    // m = 120, control (100 × 0.5667 + 220 × 1) / 800 − (100 × 0.5667 + 100) / 800 = 120 / 800 =
    // 0.15.
    // At risk 0.2 × 570 = 114.0000 USD of the lab's 1685 (450 direct + 1235 partner): 6.7656 %;
    // 0.15 / 6.7656 = 0.02217.
    // To direct-api: +68 on Nov 1 (120 × 0.5667) and +79.33 on Nov 2 (140 × 0.5667) over 1800:
    // 0.08185, at risk
    // 0.2 × (570 + 665) = 247.0000 USD, 14.659 %: 0.005584 per 1 %.
    Review.Candidate top = review.whatIf().top();
    assertThat(top.shift().channelId()).isEqualTo("market-routerhub");
    assertThat(top.shift().toChannelId()).isEqualTo("consumer-app");
    assertThat(top.period().controlScoreChange()).isCloseTo(0.15, within(1e-12));
    assertThat(top.revenueAtRisk()).containsExactly(Map.entry("USD", new BigDecimal("114.0000")));
    assertThat(top.atRiskPercent()).isCloseTo(114 * 100 / 1685.0, within(1e-9));
    assertThat(top.gainPerPercent()).isCloseTo(0.15 / (114 * 100 / 1685.0), within(1e-9));
    assertThat(top.period().netRevenueChange())
        .containsExactly(Map.entry("USD", new BigDecimal("-54.0000"))); // 120 × 0.5 − 114
    Review.Candidate second = review.whatIf().ranked().get(1);
    assertThat(second.shift().toChannelId()).isEqualTo("direct-api");
    assertThat(second.period().controlScoreChange())
        .isCloseTo((120 + 140) * (1.7 / 3) / 1800, within(1e-12));
    assertThat(second.revenueAtRisk())
        .containsExactly(Map.entry("USD", new BigDecimal("247.0000")));
  }

  @Test
  @DisplayName("per route a sentence from the numbers: who owns the path from capability to use")
  void shouldAnswerWhoOwnsThePath() throws Exception {
    Review review = review();
    assertThat(route(review, "MARKETPLACE").sentence())
        .isEqualTo(
            "Marketplace carried 72.2 % of November 2026's requests (1,300) through"
                + " market-routerhub. Of the six control points the lab holds 0.0, partners 5.0 and"
                + " customers 1.0 per request; the lab saw the end user on 0.0 % of requests,"
                + " billed 0.0 % of the net revenue, and had trainable feedback on 0.08 % of"
                + " requests against 12.00 % on the direct routes. The partner, routerhub, owns the"
                + " path from capability to use (control score 0.00).");
    assertThat(route(review, "CONSUMER_APP").sentence())
        .endsWith("The lab owns the path from capability to use (control score 1.00).");
    // The direct API: the lab holds procurement, governance, billing (3); the customer identity,
    // workflow, interface (3).
    assertThat(route(review, "DIRECT_API").sentence())
        .contains("the lab holds 3.0, partners 0.0 and customers 3.0")
        .endsWith(
            "No one holds most of it: the lab and customers share the path from capability to use"
                + " (control score 0.57).");
    assertThat(route(review, "CLOUD_PARTNER").sentence())
        .isEqualTo(
            "Cloud partner carried no requests in November 2026: there" + " was no path to own.");
  }

  @Test
  @DisplayName(
      "the page shows the figures as exact text, and the charts' bars and points are where the"
          + " numbers put them")
  void shouldRenderThePageAndItsCharts() throws Exception {
    String html = ReviewHtml.render(review());
    Map<String, String> k = keyed(html);
    assertThat(k)
        .containsEntry("all.requests", "1,800")
        .containsEntry("route.MARKETPLACE.requests", "1,300")
        .containsEntry("route.MARKETPLACE.share", "72.2 %") // 1300 / 1800
        .containsEntry("route.DIRECT_API.control", "0.57") // (0.5 + 0.2 + 1) / 3
        .containsEntry("route.DIRECT_API.identity", "20.0 %")
        .containsEntry("route.DIRECT_API.trainable", "10.00 %")
        .containsEntry("route.MARKETPLACE.loss", "99.4 %") // 1 − (1/1300) / 0.12
        .containsEntry("route.MARKETPLACE.lost", "155") // 0.12 × 1300 − 1
        .containsEntry("route.MARKETPLACE.net", "1235.0000 USD")
        .containsEntry("route.MARKETPLACE.owner", "PARTNER")
        .containsEntry("route.DIRECT_API.owner", "shared")
        .containsEntry("finance.partner.USD.fee", "65.0000 USD")
        .containsEntry("finance.partner.USD.take", "5.0 %") // 65 / 1300
        .containsEntry("finance.direct.USD.net", "450.0000 USD") // 100 + 300 + 50
        .containsEntry("flag.vwc.market-routerhub.days", "2 of 2")
        .containsEntry("flag.recon.stmt-gap.netGap", "-3.20 %")
        .containsEntry("flag.coverage.market-routerhub.2026-11-01", "90.0 %")
        .containsEntry("whatif.top.source", "market-routerhub")
        .containsEntry("whatif.top.target", "consumer-app")
        .containsEntry("whatif.top.gain", "+0.150")
        .containsEntry("whatif.top.risk", "114.0000 USD")
        .containsEntry("whatif.1.riskPercent", "6.77 %") // 114 / 1685
        .containsEntry("whatif.2.target", "direct-api");
    assertThat(k).doesNotContainKey("flag.recon.stmt-ok");
    // Nothing to run and nothing to fetch: the SVG namespace is the only address, and it is a name.
    assertThat(html).doesNotContain("<script").doesNotContain("<link").doesNotContain("<img");
    assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", ""))
        .doesNotContain("http:")
        .doesNotContain("https:");

    // Requests per day of the marketplace: 30 slots over 270 px from x = 44; bars 0.7 of a slot;
    // the tallest (700) fills
    // the 86 px plot, 600 is 600/700 of it. Slot = 270 / 30 = 9; Nov 2's bar starts at 44 + 9 +
    // 1.35 = 54.35.
    String chart = chart(html, "route.MARKETPLACE.chart.requests");
    assertThat(chart)
        .contains(
            "<rect class=\"bar\" x=\"45.35\" y=\"28.29\" width=\"6.30\" height=\"73.71\""
                + " data-day=\"2026-11-01\""
                + " data-value=\"600\">"); // 86 × 600/700 = 73.714; y = 16 + 86 − 73.714
    assertThat(chart)
        .contains(
            "x=\"54.35\" y=\"16.00\" width=\"6.30\" height=\"86.00\" data-day=\"2026-11-02\""
                + " data-value=\"700\"");
    assertThat(chart).contains("data-day=\"2026-11-03\" data-value=\"0\"");
    // Net per day, exact text; control score line over [0, 1]: the direct API at 0.5667 on Nov 1, y
    // = 16 + 86 × (1 − 0.5667).
    assertThat(chart(html, "route.MARKETPLACE.chart.net.USD"))
        .contains("data-day=\"2026-11-02\" data-value=\"665.0000 USD\"");
    assertThat(chart(html, "route.DIRECT_API.chart.control"))
        .contains(
            "cx=\"48.50\" cy=\"53.27\" r=\"2.2\" data-day=\"2026-11-01\" data-value=\"0.57\"");
  }

  /** Every data-k element's text (tags inside stripped). */
  static Map<String, String> keyed(String html) {
    Map<String, String> out = new HashMap<>();
    Matcher m =
        Pattern.compile("<(td|th|b|span|p)[^>]*data-k=\"([^\"]+)\"[^>]*>(.*?)</\\1>").matcher(html);
    for (int from = 0;
        m.find(from);
        from = m.start() + 1) { // from each opening tag, so nested keys are found too
      out.put(
          m.group(2).replace("&quot;", "\""),
          m.group(3).replaceAll("<[^>]+>", "").replace("&amp;", "&"));
    }
    return out;
  }

  static String chart(String html, String key) {
    int start = html.indexOf("data-k=\"" + key + "\"");
    assertThat(start).as("chart " + key).isPositive();
    return html.substring(start, html.indexOf("</svg>", start));
  }
}
