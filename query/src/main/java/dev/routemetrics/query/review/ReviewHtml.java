package dev.routemetrics.query.review;

import static dev.routemetrics.query.review.DailyChart.esc;

import dev.routemetrics.query.ControlPointMap;
import dev.routemetrics.query.Finance;
import dev.routemetrics.query.Reconciliation;
import dev.routemetrics.query.Substitution;
import java.math.BigDecimal;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The review as one self-contained HTML page (inline CSS and SVG, no script, nothing fetched), laid
 * out for A4 so Chromium's print to PDF gives the same pages. Every number sits in an element with
 * a {@code data-k} key ({@code route.MARKETPLACE.requests}, {@code whatif.top.source}, ...), for
 * the browser test and for anyone scraping it.
 */
public final class ReviewHtml {

  private ReviewHtml() {}

  static final String STYLE =
      """
      @page { size: A4; margin: 14mm 12mm; }
      body { font: 10.5px/1.4 "DejaVu Sans", Arial, sans-serif; color: #1c2430; margin: 0 auto; max-width: 190mm; }
      h1 { font-size: 20px; margin: 0 0 2px; } h2 { font-size: 15px; margin: 18px 0 6px; border-bottom: 1px solid #ccd3dc; }
      h3 { font-size: 12px; margin: 10px 0 4px; } .sub { color: #5a6777; margin: 0 0 10px; }
      table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; } th, td { padding: 2px 5px; text-align: right; }
      th { background: #eef1f5; font-weight: 600; } td:first-child, th:first-child { text-align: left; }
      tr { border-bottom: 1px solid #e3e7ec; } td.text, th.text { text-align: left; } td:not(.text) { white-space: nowrap; }
      table.figures { font-size: 9.5px; } table.figures td, table.figures th { padding: 2px 3px; }
      .answer { background: #f4f7fb; border-left: 3px solid #2b6cb0; padding: 6px 8px; margin: 6px 0; font-size: 11.5px; }
      .flag { color: #a61b1b; font-weight: 600; } .none { color: #5a6777; font-style: italic; }
      .route { break-before: page; } .route.quiet { break-before: auto; } .charts { display: flex; flex-wrap: wrap; gap: 6px; }
      svg.chart { border: 1px solid #e3e7ec; background: #fff; }
      svg .bar { fill: #2b6cb0; } svg .line { fill: none; stroke: #2b6cb0; stroke-width: 1.5; } svg .dot { fill: #2b6cb0; }
      svg .axis { stroke: #8a96a6; stroke-width: 1; } svg .tick { font-size: 9px; fill: #5a6777; }
      svg .title { font-size: 10px; font-weight: 600; fill: #1c2430; }
      .owner-LAB { color: #1f6f3a; } .owner-PARTNER { color: #a61b1b; } .owner-CUSTOMER { color: #8a5a00; }
      .notes { color: #5a6777; font-size: 9.5px; }
      """;

  /** The page. */
  public static String render(Review review) {
    String month =
        review.month().getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH)
            + " "
            + review.month().getYear();
    StringBuilder html = new StringBuilder(64 * 1024);
    html.append(
            "<!DOCTYPE html>\n"
                + "<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Route review, ")
        .append(month)
        .append("</title><style>")
        .append(STYLE)
        .append("</style></head><body>\n");
    html.append("<h1>Route review, <span data-k=\"month\">")
        .append(review.month())
        .append("</span></h1>\n")
        .append(
            "<p class=\"sub\">Reach, control, learning and finance of the lab's seven routes in ")
        .append(month)
        .append(
            ", from the warehouse's audience views (UTC days). Who owns the path from capability to"
                + " use, route by route.</p>\n");
    summary(html, review);
    routesTable(html, review);
    flags(html, review.flags());
    whatIf(html, review.whatIf());
    for (Review.RouteSection s : review.routes()) {
      route(html, s);
    }
    html.append("<h2>Notes</h2><ul class=\"notes\">");
    review.notes().forEach(n -> html.append("<li>").append(esc(n)).append("</li>"));
    html.append("</ul>\n</body></html>\n");
    return html.toString();
  }

  private static void summary(StringBuilder html, Review review) {
    Review.Figures all = review.all();
    html.append(
            "<h2>The month</h2>\n"
                + "<table><tr><th>requests</th><th>identity visible</th><th>feedback"
                + " coverage</th><th>trainable rate</th><th>FULL telemetry</th></tr><tr>")
        .append(cell("all.requests", Format.count(all.requests())))
        .append(cell("all.identity", Format.percent(all.identityVisibility())))
        .append(cell("all.coverage", Format.percent(all.feedbackCoverage())))
        .append(cell("all.trainable", Format.finePercent(all.trainableRate())))
        .append(cell("all.telemetry", Format.percent(all.telemetryFullShare())))
        .append("</tr></table>\n");
    html.append(
        "<table><tr><th class=\"text\">revenue</th><th>currency</th><th>gross</th><th>partner"
            + " fee</th><th>net</th><th>partner take</th><th>capture</th></tr>");
    for (Finance.Row r : all.finance()) {
      String k = "finance." + r.side() + "." + r.currency();
      html.append("<tr><td class=\"text\">")
          .append(r.side())
          .append("</td><td>")
          .append(r.currency())
          .append("</td>")
          .append(cell(k + ".gross", Format.money(r.gross(), r.currency())))
          .append(cell(k + ".fee", Format.money(r.partnerFee(), r.currency())))
          .append(cell(k + ".net", Format.money(r.net(), r.currency())))
          .append(cell(k + ".take", Format.percent(r.partnerTake())))
          .append(cell(k + ".capture", Format.percent(r.captureRate())))
          .append("</tr>");
    }
    if (all.finance().isEmpty()) {
      html.append("<tr><td class=\"none\" colspan=\"7\">no revenue in the month</td></tr>");
    }
    html.append("</table>\n");
  }

  private static void routesTable(StringBuilder html, Review review) {
    html.append(
        "<h2>Routes</h2>\n"
            + "<table class=\"figures\"><tr><th"
            + " class=\"text\">route</th><th>requests</th><th>share</th><th>identity</th><th>billing"
            + " own.</th><th>control</th><th>coverage</th><th>trainable</th><th>learning"
            + " loss</th><th>lost signals</th><th>net</th><th>owner</th></tr>");
    for (Review.RouteSection s : review.routes()) {
      Review.Figures f = s.figures();
      String k = "route." + s.route();
      String owner =
          f.requests() == 0 || s.ownership().channels().isEmpty()
              ? "–"
              : s.ownership().owner() == null ? "shared" : s.ownership().owner();
      html.append("<tr><td class=\"text\">")
          .append(Format.route(s.route()))
          .append("</td>")
          .append(figureCells(k, f))
          .append("<td data-k=\"")
          .append(k)
          .append(".owner\" class=\"owner-")
          .append(owner)
          .append("\">")
          .append(owner)
          .append("</td></tr>");
    }
    html.append("</table>\n");
  }

  /** requests … net, the same columns for a route and a channel. */
  private static String figureCells(String k, Review.Figures f) {
    return cell(k + ".requests", Format.count(f.requests()))
        + cell(k + ".share", Format.percent(f.requestShare()))
        + cell(k + ".identity", Format.percent(f.identityVisibility()))
        + cell(k + ".billing", Format.percent(f.billingOwnership()))
        + cell(k + ".control", Format.score(f.controlScore()))
        + cell(k + ".coverage", Format.percent(f.feedbackCoverage()))
        + cell(k + ".trainable", Format.finePercent(f.trainableRate()))
        + cell(k + ".loss", Format.percent(f.learningLoss()))
        + cell(k + ".lost", Format.count(f.lostSignals()))
        + cell(k + ".net", Format.money(net(f.finance())));
  }

  private static Map<String, BigDecimal> net(List<Finance.Row> finance) {
    Map<String, BigDecimal> net = new java.util.TreeMap<>();
    finance.forEach(r -> net.merge(r.currency(), r.net(), BigDecimal::add));
    return net;
  }

  private static void flags(StringBuilder html, Review.Flags flags) {
    html.append("<h2>Flagged channels</h2>\n");
    html.append(
        "<h3>Volume without control <span class=\"sub\">(top quartile of request share, control"
            + " score below 0.34; the month as one window, and its days)</span></h3>");
    if (flags.volumeWithoutControl().isEmpty()) {
      html.append(none("no channel"));
    } else {
      html.append(
          "<table><tr><th class=\"text\">channel</th><th class=\"text\">route</th><th>month"
              + " share</th><th>month control</th><th>flagged on the month</th><th>days"
              + " flagged</th></tr>");
      for (Review.VolumeWithoutControl v : flags.volumeWithoutControl()) {
        String k = "flag.vwc." + v.channelId();
        html.append("<tr><td class=\"text flag\" data-k=\"")
            .append(k)
            .append("\">")
            .append(esc(v.channelId()))
            .append("</td>")
            .append("<td class=\"text\">")
            .append(v.route() == null ? "–" : Format.route(v.route()))
            .append("</td>")
            .append(cell(k + ".share", Format.percent(v.requestShare())))
            .append(cell(k + ".control", Format.score(v.controlScore())))
            .append(cell(k + ".month", v.month() ? "yes" : "no"))
            .append(cell(k + ".days", v.daysFlagged() + " of " + v.daysWithTraffic()))
            .append("</tr>");
      }
      html.append("</table>");
    }
    html.append(
        "<h3>Rented volume <span class=\"sub\">(latency or price elasticity above 1 and a"
            + " top-quartile share; HOUR windows of the month)</span></h3>");
    if (flags.rentedVolume().isEmpty()) {
      html.append(none("no channel"));
    } else {
      html.append(
          "<table><tr><th class=\"text\">channel</th><th>share</th><th>latency"
              + " elasticity</th><th>price elasticity</th><th>windows</th><th>share"
              + " volatility</th></tr>");
      for (Substitution.Row r : flags.rentedVolume()) {
        String k = "flag.rented." + r.channelId();
        html.append("<tr><td class=\"text flag\" data-k=\"")
            .append(k)
            .append("\">")
            .append(esc(r.channelId()))
            .append("</td>")
            .append(cell(k + ".share", Format.percent(r.requestShare())))
            .append(
                cell(k + ".latency", elasticity(r.latencyElasticity(), r.latencyElasticityError())))
            .append(cell(k + ".price", elasticity(r.priceElasticity(), r.priceElasticityError())))
            .append(cell(k + ".windows", String.valueOf(r.windows())))
            .append(
                cell(
                    k + ".volatility",
                    r.shareVolatility() == null
                        ? "–"
                        : String.format(Locale.ROOT, "%.2f", r.shareVolatility())))
            .append("</tr>");
      }
      html.append("</table>");
    }
    html.append(
        String.format(
            Locale.ROOT,
            "<h3>Reconciliation gaps <span class=\"sub\">(a partner statement's requests or net"
                + " beyond ±%.1f %% of what was metered)</span></h3>",
            flags.reconciliationBoundPercent()));
    if (flags.reconciliationGaps().isEmpty()) {
      html.append(none("no statement"));
    } else {
      html.append(
          "<table><tr><th class=\"text\">statement</th><th class=\"text\">channel</th><th"
              + " class=\"text\">period</th><th>requests stated / metered</th><th>gap</th><th>net"
              + " stated / metered</th><th>gap</th></tr>");
      for (Reconciliation.Row r : flags.reconciliationGaps()) {
        String k = "flag.recon." + r.billingId();
        html.append("<tr><td class=\"text flag\" data-k=\"")
            .append(esc(k))
            .append("\">")
            .append(esc(r.billingId()))
            .append("</td>")
            .append("<td class=\"text\">")
            .append(esc(r.channelId()))
            .append("</td><td class=\"text\">")
            .append(r.periodStart())
            .append(" – ")
            .append(r.periodEnd())
            .append("</td>")
            .append(
                cell(
                    k + ".requests",
                    (r.reportedRequests() == null ? "–" : Format.count(r.reportedRequests()))
                        + " / "
                        + Format.count(r.meteredRequests())))
            .append(cell(k + ".requestGap", gap(r.requestGapPercent())))
            .append(
                cell(
                    k + ".net",
                    Format.money(r.reportedNet(), r.currency())
                        + " / "
                        + Format.money(r.meteredNet(), r.currency())))
            .append(cell(k + ".netGap", gap(r.netGapPercent())))
            .append("</tr>");
      }
      html.append("</table>");
    }
    html.append(
        String.format(
            Locale.ROOT,
            "<h3>Coverage drops <span class=\"sub\">(a day's feedback coverage more than %.0f %%"
                + " below the channel's trailing days)</span></h3>",
            flags.coverageMaxDrop() * 100));
    if (flags.coverageDrops().isEmpty()) {
      html.append(none("no day"));
    } else {
      html.append(
          "<table><tr><th class=\"text\">day</th><th class=\"text\">channel</th><th>drop</th><th"
              + " class=\"text\">detail</th></tr>");
      for (Review.CoverageDrop d : flags.coverageDrops()) {
        String k = "flag.coverage." + d.finding().subject() + "." + d.day();
        html.append("<tr><td class=\"text\">")
            .append(d.day())
            .append("</td><td class=\"text flag\">")
            .append(esc(d.finding().subject()))
            .append("</td>")
            .append(cell(k, Format.percent(d.finding().value())))
            .append("<td class=\"text\">")
            .append(esc(d.finding().detail()))
            .append("</td></tr>");
      }
      html.append("</table>");
    }
  }

  private static void whatIf(StringBuilder html, Review.WhatIfs w) {
    String percent = w.fraction().movePointRight(2).stripTrailingZeros().toPlainString() + " %";
    html.append("<h2>Top what-if</h2>\n");
    Review.Candidate top = w.top();
    if (top == null) {
      html.append(
          none(
              "no shift of "
                  + percent
                  + " from an indirect channel to a direct channel gains control this month"));
    } else {
      html.append(
              "<p class=\"answer\" data-k=\"whatif.top\">Shifting <b"
                  + " data-k=\"whatif.top.fraction\">")
          .append(percent)
          .append("</b> of <b data-k=\"whatif.top.source\">")
          .append(esc(top.shift().channelId()))
          .append("</b>'s requests to <b data-k=\"whatif.top.target\">")
          .append(esc(top.shift().toChannelId()))
          .append(
              "</b> gains the most control per unit of revenue at risk: the request-weighted"
                  + " control score goes from ")
          .append(Format.score(top.period().controlScoreBefore()))
          .append(" to ")
          .append(Format.score(top.period().controlScoreAfter()))
          .append(" (<span data-k=\"whatif.top.gain\">")
          .append(Format.change(top.period().controlScoreChange()))
          .append("</span>) with <span data-k=\"whatif.top.risk\">")
          .append(Format.money(top.revenueAtRisk()))
          .append("</span> of net at risk (")
          .append(top.atRiskPercent() == null ? "none" : Format.percent(top.atRiskPercent() / 100))
          .append(" of the month's net); net revenue changes by ")
          .append(Format.money(top.period().netRevenueChange()))
          .append(", partner fees by ")
          .append(Format.money(top.period().partnerFeeChange()))
          .append(", identity-visible requests by ")
          .append(signed(top.period().identityVisibleChange()))
          .append(" and lost signals by ")
          .append(signed(top.period().lostSignalsChange()))
          .append(".</p>");
    }
    html.append(
            "<p class=\"sub\">Every indirect channel with requests to every direct channel with"
                + " requests, shifting ")
        .append(percent)
        .append(
            " of the source's requests (docs/domain.md's what-if over the month's HOUR windows)."
                + " Revenue at risk: ")
        .append(
            "the shifted share of the source's net in the windows evaluated, what the lab loses if"
                + " those customers do not follow. Ranked by control gained per 1 % of the month's"
                + " net at risk.</p>");
    html.append(
        "<table><tr><th class=\"text\">from</th><th class=\"text\">to</th><th>control"
            + " change</th><th>net at risk</th><th>at risk, % of net</th><th>gain per 1"
            + " %</th><th>net change</th><th>identity-visible</th><th>lost signals</th></tr>");
    List<Review.Candidate> shown =
        new ArrayList<>(w.ranked().subList(0, Math.min(6, w.ranked().size())));
    for (int i = 0; i < shown.size(); i++) {
      Review.Candidate c = shown.get(i);
      String k = "whatif." + (i + 1);
      html.append("<tr><td class=\"text\" data-k=\"")
          .append(k)
          .append(".source\">")
          .append(esc(c.shift().channelId()))
          .append("</td><td class=\"text\" data-k=\"")
          .append(k)
          .append(".target\">")
          .append(esc(c.shift().toChannelId()))
          .append("</td>")
          .append(cell(k + ".gain", Format.change(c.period().controlScoreChange())))
          .append(cell(k + ".risk", Format.money(c.revenueAtRisk())))
          .append(
              cell(
                  k + ".riskPercent",
                  c.atRiskPercent() == null
                      ? "–"
                      : String.format(Locale.ROOT, "%.2f %%", c.atRiskPercent())))
          .append(
              cell(
                  k + ".perPercent",
                  c.gainPerPercent() == null
                      ? "–"
                      : String.format(Locale.ROOT, "%+.4f", c.gainPerPercent())))
          .append(cell(k + ".net", Format.money(c.period().netRevenueChange())))
          .append(cell(k + ".identity", signed(c.period().identityVisibleChange())))
          .append(cell(k + ".lost", signed(c.period().lostSignalsChange())))
          .append("</tr>");
    }
    if (shown.isEmpty()) {
      html.append(
          "<tr><td class=\"none\" colspan=\"9\">no indirect and direct channels both with"
              + " requests</td></tr>");
    }
    html.append("</table>\n");
  }

  private static void route(StringBuilder html, Review.RouteSection s) {
    String k = "route." + s.route();
    boolean quiet =
        s.figures().requests() == 0
            && s.figures().finance().isEmpty(); // a sentence only: no page of its own
    html.append("<section class=\"route")
        .append(quiet ? " quiet" : "")
        .append("\" id=\"")
        .append(s.route())
        .append("\"><h2>")
        .append(Format.route(s.route()))
        .append(
            s.direct()
                ? " <span class=\"sub\">(direct)</span>"
                : " <span class=\"sub\">(indirect)</span>")
        .append("</h2>\n");
    html.append("<p class=\"answer\" data-k=\"")
        .append(k)
        .append(".sentence\">")
        .append(esc(s.sentence()))
        .append("</p>\n");
    if (quiet) {
      html.append("</section>\n");
      return;
    }
    html.append(
        "<table class=\"figures\"><tr><th"
            + " class=\"text\">channel</th><th>requests</th><th>share</th><th>identity</th><th>billing"
            + " own.</th><th>control</th><th>coverage</th><th>trainable</th><th>learning"
            + " loss</th><th>lost signals</th><th>net</th><th>points</th></tr>");
    for (Review.Figures c : s.channels()) {
      html.append("<tr><td class=\"text\">")
          .append(esc(c.id()))
          .append("</td>")
          .append(figureCells("channel." + c.id(), c))
          .append(cell("channel." + c.id() + ".points", c.controlPointsOwned() + " / 6"))
          .append("</tr>");
    }
    html.append("<tr><th class=\"text\">route</th>")
        .append(
            figureCells(k + ".detail", s.figures()).replace("<td", "<th").replace("</td>", "</th>"))
        .append("<th></th></tr></table>\n");
    if (!s.ownership().channels().isEmpty()) {
      html.append(
          "<table><tr><th class=\"text\">control"
              + " points</th><th>identity</th><th>workflow</th><th>procurement</th>"
              + "<th>governance</th><th>billing</th><th>interface</th></tr>");
      for (ControlPointMap.Row r : s.ownership().channels()) {
        html.append("<tr><td class=\"text\">")
            .append(esc(r.channelId()))
            .append(r.partnerId() == null ? "" : " (" + esc(r.partnerId()) + ")")
            .append("</td>");
        for (String owner :
            List.of(
                r.identityOwner(),
                r.workflowOwner(),
                r.procurementOwner(),
                r.governanceOwner(),
                r.billingOwner(),
                r.interfaceOwner())) {
          html.append("<td class=\"owner-")
              .append(owner)
              .append("\">")
              .append(owner)
              .append("</td>");
        }
        html.append("</tr>");
      }
      html.append("</table>\n");
    }
    html.append("<div class=\"charts\">");
    List<DailyChart.Point> requests = new ArrayList<>();
    List<DailyChart.Point> control = new ArrayList<>();
    List<DailyChart.Point> trainable = new ArrayList<>();
    TreeSet<String> currencies = new TreeSet<>();
    s.days().forEach(d -> currencies.addAll(d.net().keySet()));
    double trainableMax = 0;
    for (Review.Day d : s.days()) {
      requests.add(
          new DailyChart.Point(d.day(), (double) d.requests(), Format.count(d.requests())));
      control.add(new DailyChart.Point(d.day(), d.controlScore(), Format.score(d.controlScore())));
      trainable.add(
          new DailyChart.Point(d.day(), d.trainableRate(), Format.finePercent(d.trainableRate())));
      trainableMax = Math.max(trainableMax, d.trainableRate() == null ? 0 : d.trainableRate());
    }
    html.append(DailyChart.bars(k + ".chart.requests", "Reach: requests per day", requests));
    html.append(
        DailyChart.line(
            k + ".chart.control", "Control: control score per day", control, 1.0, Format::score));
    html.append(
        DailyChart.line(
            k + ".chart.trainable",
            "Learning: trainable rate per day",
            trainable,
            trainableMax > 0 ? trainableMax : 1.0,
            Format::finePercent));
    for (String currency : currencies) {
      List<DailyChart.Point> net = new ArrayList<>();
      for (Review.Day d : s.days()) {
        BigDecimal amount = d.net().get(currency);
        net.add(
            new DailyChart.Point(
                d.day(),
                amount == null ? null : amount.doubleValue(),
                amount == null ? "–" : Format.money(amount, currency)));
      }
      html.append(
          DailyChart.bars(
              k + ".chart.net." + currency, "Finance: net revenue per day, " + currency, net));
    }
    html.append("</div></section>\n");
  }

  private static String elasticity(Double value, Double error) {
    return value == null
        ? "–"
        : String.format(Locale.ROOT, "%.2f ± %.2f", value, error == null ? Double.NaN : error);
  }

  private static String gap(Double percent) {
    return percent == null ? "nothing metered" : String.format(Locale.ROOT, "%+.2f %%", percent);
  }

  private static String signed(Double value) {
    return value == null ? "–" : String.format(Locale.ROOT, "%+,.0f", value);
  }

  private static String none(String what) {
    return "<p class=\"none\">" + esc(what) + ".</p>";
  }

  private static String cell(String key, String text) {
    return "<td data-k=\"" + esc(key) + "\">" + esc(text) + "</td>";
  }
}
