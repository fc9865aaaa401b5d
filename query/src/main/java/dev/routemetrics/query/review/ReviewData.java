package dev.routemetrics.query.review;

import dev.routemetrics.query.ChannelWindow;
import dev.routemetrics.query.ControlPointMap;
import dev.routemetrics.query.Finance;
import dev.routemetrics.query.Learning;
import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.ReachControl;
import dev.routemetrics.query.Reconciliation;
import dev.routemetrics.query.Substitution;
import dev.routemetrics.query.TimeRange;
import dev.routemetrics.query.WhatIf;
import dev.routemetrics.query.alerts.AlertInputs;
import dev.routemetrics.query.alerts.AlertRules;
import dev.routemetrics.query.alerts.FeedbackCoverageDropRule;
import dev.routemetrics.query.alerts.Finding;
import dev.routemetrics.schemas.registry.Routes;
import dev.routemetrics.schemas.windows.WindowSize;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads one month for the route review from ClickHouse through the audience queries, and assembles
 * {@link Review} from what they answer. Every figure and flag is the existing view's: month figures
 * are the views run over one window that spans the month (each channel's exact components summed
 * over its DAY windows), daily figures the views over DAY windows, volume without control {@link
 * ReachControl}'s, rented volume {@link Substitution}'s (HOUR windows), reconciliation gaps {@link
 * Reconciliation}'s rows beyond the statement-mismatch alert's bound, coverage drops the {@link
 * FeedbackCoverageDropRule} with the configured thresholds judged on each day of the month, and the
 * what-if {@link WhatIf}'s period row over HOUR windows.
 */
public final class ReviewData {

  /** docs/domain.md's seven routes, direct first, in the order the review shows them. */
  public static final List<String> ROUTES =
      List.of(
          "DIRECT_API",
          "CONSUMER_APP",
          "ENTERPRISE_PLATFORM",
          "CLOUD_PARTNER",
          "MARKETPLACE",
          "VERTICAL_WORKFLOW",
          "INTERNAL_PLATFORM");

  /** The default what-if shift: a fifth of a channel's requests (the what-if command's example). */
  public static final BigDecimal DEFAULT_SHIFT = new BigDecimal("0.2");

  /**
   * What the review is built from.
   *
   * @param dayUsage DAY windows from {@code coverage.trailingDays()} days before the month to its
   *     end (the coverage rule compares each day with the days before it)
   * @param dayMoney DAY revenue windows of the month
   * @param hourUsage HOUR windows of the month (substitution and what-if)
   * @param statements the reconciliation view's rows for statements starting in the month
   * @param registry the control-point map at {@code registryAt}
   */
  public record Inputs(
      YearMonth month,
      List<ChannelWindow.Usage> dayUsage,
      List<ChannelWindow.Money> dayMoney,
      List<ChannelWindow.Usage> hourUsage,
      List<ChannelWindow.Money> hourMoney,
      List<Reconciliation.Row> statements,
      List<ControlPointMap.Row> registry,
      Instant registryAt,
      AlertRules.FeedbackCoverageDrop coverage,
      double reconciliationBoundPercent,
      BigDecimal fraction) {}

  private final MetricsReader reader;
  private final Reconciliation reconciliation;
  private final ControlPointMap controlPoints;
  private final AlertRules rules;
  private final Progress progress;

  public ReviewData(
      MetricsReader reader, Reconciliation reconciliation, AlertRules rules, Progress progress) {
    this.reader = reader;
    this.reconciliation = reconciliation;
    this.controlPoints = new ControlPointMap(reader);
    this.rules = rules;
    this.progress = progress;
  }

  /** The month start and the next month's start, UTC. */
  static Instant start(YearMonth month) {
    return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  static Instant end(YearMonth month) {
    return start(month.plusMonths(1));
  }

  /** Reads the month (five queries and the statements') and assembles its review. */
  public Review read(YearMonth month, BigDecimal fraction) throws Exception {
    Instant from = start(month);
    Instant until = end(month);
    AlertRules.FeedbackCoverageDrop coverage = rules.feedbackCoverageDrop();
    progress.section(
        "reading DAY windows of "
            + month
            + " (and "
            + coverage.trailingDays()
            + " days before, for coverage drops)");
    TimeRange days =
        new TimeRange(
            WindowSize.DAY, from.minus(Duration.ofDays(coverage.trailingDays())), until, List.of());
    List<ChannelWindow.Usage> dayUsage = reader.metrics(days);
    List<ChannelWindow.Money> dayMoney =
        reader.revenue(new TimeRange(WindowSize.DAY, from, until, List.of()));
    progress.section("reading HOUR windows of " + month + " (substitution risk, what-if)");
    TimeRange hours = new TimeRange(WindowSize.HOUR, from, until, List.of());
    List<ChannelWindow.Usage> hourUsage = reader.metrics(hours);
    List<ChannelWindow.Money> hourMoney = reader.revenue(hours);
    progress.section("reading partner statements (reconciliation) and the control-point map");
    List<Reconciliation.Row> statements = reconciliation.compute(hours);
    Instant registryAt = until.minusSeconds(1);
    List<ControlPointMap.Row> registry = controlPoints.asOf(registryAt, null);
    return assemble(
        new Inputs(
            month,
            dayUsage,
            dayMoney,
            hourUsage,
            hourMoney,
            statements,
            registry,
            registryAt,
            coverage,
            rules.statementMismatch().maxDiscrepancyPercent(),
            fraction),
        progress);
  }

  /** The review from its inputs; no I/O (the unit test's entry). */
  public static Review assemble(Inputs in, Progress progress) throws Exception {
    Instant from = start(in.month());
    Instant until = end(in.month());
    List<ChannelWindow.Usage> monthDays =
        in.dayUsage().stream()
            .filter(u -> !u.windowStart().isBefore(from) && u.windowStart().isBefore(until))
            .toList();

    progress.section("figures per route and channel");
    // Each channel's month as one window: its components summed, its control points as of its last
    // day.
    Map<String, List<ChannelWindow.Usage>> byChannel =
        monthDays.stream()
            .collect(
                Collectors.groupingBy(
                    ChannelWindow.Usage::channelId, TreeMap::new, Collectors.toList()));
    List<ChannelWindow.Usage> channelMonths = new ArrayList<>();
    byChannel.forEach(
        (channel, rows) -> {
          ChannelWindow.Usage last =
              rows.stream()
                  .max(Comparator.comparing(ChannelWindow.Usage::windowStart))
                  .orElseThrow();
          channelMonths.add(
              sum(from, channel, last.route(), last.partnerId(), last.controlPointsOwned(), rows));
        });
    List<ChannelWindow.Money> channelMoney = sumMoney(from, in.dayMoney(), m -> m.channelId());
    Map<String, ReachControl.Row> channelControl =
        monthRows(ReachControl.compute(channelMonths, channelMoney));
    Map<String, Learning.Row> channelLearning =
        Learning.compute(channelMonths).stream()
            .collect(Collectors.toMap(Learning.Row::channelId, r -> r));

    // Each route's month as one window of a "channel" named after the route.
    Map<String, List<ChannelWindow.Usage>> byRoute =
        channelMonths.stream()
            .collect(
                Collectors.groupingBy(
                    ChannelWindow.Usage::route, TreeMap::new, Collectors.toList()));
    List<ChannelWindow.Usage> routeMonths = new ArrayList<>();
    byRoute.forEach((route, rows) -> routeMonths.add(sum(from, route, route, null, 0, rows)));
    List<ChannelWindow.Money> routeMoney =
        sumMoney(from, in.dayMoney(), ChannelWindow.Money::route);
    Map<String, ReachControl.Row> routeControl =
        monthRows(ReachControl.compute(routeMonths, routeMoney));
    Map<String, Learning.Row> routeLearning =
        Learning.compute(routeMonths).stream()
            .collect(Collectors.toMap(Learning.Row::channelId, r -> r));

    progress.section("daily series");
    List<ReachControl.Window> dailyControl = ReachControl.compute(monthDays, in.dayMoney());
    Map<Instant, List<ChannelWindow.Usage>> routeDays = new TreeMap<>();
    monthDays.stream()
        .collect(
            Collectors.groupingBy(
                u -> u.windowStart() + "|" + u.route(), TreeMap::new, Collectors.toList()))
        .forEach(
            (k, rows) ->
                routeDays
                    .computeIfAbsent(rows.get(0).windowStart(), d -> new ArrayList<>())
                    .add(
                        sum(
                            rows.get(0).windowStart(),
                            rows.get(0).route(),
                            rows.get(0).route(),
                            null,
                            0,
                            rows)));
    Map<String, Learning.Row> routeDayLearning = new HashMap<>();
    routeDays
        .values()
        .forEach(
            window ->
                Learning.compute(window)
                    .forEach(r -> routeDayLearning.put(r.windowStart() + "|" + r.channelId(), r)));

    Map<String, ControlPointMap.Row> registry =
        in.registry().stream()
            .collect(Collectors.toMap(ControlPointMap.Row::channelId, r -> r, (a, b) -> a));
    List<Review.RouteSection> sections = new ArrayList<>();
    for (String route : ROUTES) {
      List<ChannelWindow.Usage> channels = byRoute.getOrDefault(route, List.of());
      List<Review.Figures> channelFigures = new ArrayList<>();
      double weighted = 0;
      long scored = 0;
      for (ChannelWindow.Usage c : channels) {
        ReachControl.Row control = channelControl.get(c.channelId());
        channelFigures.add(
            figures(
                c,
                control,
                channelLearning.get(c.channelId()),
                c.controlPointsOwned(),
                control == null ? null : control.controlScore(),
                finance(in.dayMoney(), m -> m.channelId().equals(c.channelId()))));
        if (control != null && control.controlScore() != null) {
          weighted += control.controlScore() * c.requests();
          scored += c.requests();
        }
      }
      // Revenue of a channel without usage in the month still belongs to its route's finance.
      List<Finance.Row> routeFinance = finance(in.dayMoney(), m -> m.route().equals(route));
      Review.Figures figures =
          channels.isEmpty()
              ? new Review.Figures(
                  route,
                  route,
                  0,
                  null,
                  0,
                  0,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  null,
                  routeFinance)
              : figures(
                  routeMonths.stream()
                      .filter(u -> u.channelId().equals(route))
                      .findFirst()
                      .orElseThrow(),
                  routeControl.get(route),
                  routeLearning.get(route),
                  null,
                  scored == 0 ? null : weighted / scored,
                  routeFinance);
      List<Review.Day> days =
          days(in.month(), route, dailyControl, routeDays, routeDayLearning, in.dayMoney());
      Review.Ownership ownership = ownership(channels, registry);
      sections.add(
          new Review.RouteSection(
              route, Routes.isDirect(route), figures, channelFigures, days, ownership, null));
    }
    Learning.Row anyRoute = routeLearning.values().stream().findFirst().orElse(null);
    Double directRate = anyRoute == null ? null : anyRoute.directTrainableRate();
    long allRequests = channelMonths.stream().mapToLong(ChannelWindow.Usage::requests).sum();
    sections =
        sections.stream()
            .map(
                s ->
                    new Review.RouteSection(
                        s.route(),
                        s.direct(),
                        s.figures(),
                        s.channels(),
                        s.days(),
                        s.ownership(),
                        PathSentence.of(s, directRate, in.month())))
            .toList();
    ChannelWindow.Usage whole = sum(from, "all", "all", null, 0, channelMonths);
    Review.Figures all =
        new Review.Figures(
            "all",
            "all",
            allRequests,
            allRequests == 0 ? null : 1.0,
            whole.inputTokens(),
            whole.outputTokens(),
            whole.identityVisibility(),
            null,
            null,
            null,
            whole.feedbackCoverage(),
            whole.trainableRate(),
            whole.telemetryFullShare(),
            null,
            null,
            Finance.compute(in.dayMoney(), Finance.Period.MONTH));

    progress.section(
        "flags: volume without control, rented volume, reconciliation gaps, coverage drops");
    Review.Flags flags =
        new Review.Flags(
            volumeWithoutControl(channelControl, dailyControl),
            Substitution.compute(in.hourUsage(), in.hourMoney()).stream()
                .filter(Substitution.Row::rentedVolume)
                .toList(),
            in.reconciliationBoundPercent(),
            gaps(in.statements(), in.reconciliationBoundPercent()),
            in.coverage().maxDrop(),
            coverageDrops(in));

    progress.section(
        "what-if: every indirect channel to every direct channel, shift "
            + in.fraction().toPlainString());
    Review.WhatIfs whatIf = whatIfs(in, channelMoney);

    List<String> notes =
        List.of(
            "Month figures are each view run over one window spanning the month: a channel's exact"
                + " components summed over its DAY windows, its control points as of its last day"
                + " with traffic; a route's control score is its channels' weighted by their"
                + " requests. Control-point owners are the registry as of "
                + in.registryAt()
                + ".",
            "Feedback counts in the window of the request it is about and can arrive up to 7 days"
                + " later: the month's last days' coverage and trainable rate still grow after the"
                + " month ends.",
            "Money is exact, per currency; currencies are never added together (there are no"
                + " exchange rates).");
    return new Review(in.month(), in.registryAt(), all, sections, flags, whatIf, notes);
  }

  private static Review.Figures figures(
      ChannelWindow.Usage u,
      ReachControl.Row control,
      Learning.Row learning,
      Integer controlPoints,
      Double controlScore,
      List<Finance.Row> finance) {
    return new Review.Figures(
        u.channelId(),
        u.route(),
        u.requests(),
        control == null ? null : control.requestShare(),
        u.inputTokens(),
        u.outputTokens(),
        u.identityVisibility(),
        control == null ? null : control.billingOwnership(),
        controlPoints,
        controlScore,
        u.feedbackCoverage(),
        u.trainableRate(),
        u.telemetryFullShare(),
        learning == null ? null : learning.learningLoss(),
        learning == null ? null : learning.lostSignals(),
        finance);
  }

  private static List<Finance.Row> finance(
      List<ChannelWindow.Money> dayMoney, java.util.function.Predicate<ChannelWindow.Money> which) {
    return Finance.compute(dayMoney.stream().filter(which).toList(), Finance.Period.MONTH);
  }

  /** The rows of the single month window ReachControl computed, by channel. */
  private static Map<String, ReachControl.Row> monthRows(List<ReachControl.Window> windows) {
    return windows.stream()
        .flatMap(w -> w.channels().stream())
        .collect(Collectors.toMap(ReachControl.Row::channelId, r -> r));
  }

  /**
   * One window holding {@code rows}' exact components summed; distinct counts and latency quantiles
   * do not add, and are left 0/null.
   */
  static ChannelWindow.Usage sum(
      Instant start,
      String channelId,
      String route,
      String partnerId,
      int controlPoints,
      List<ChannelWindow.Usage> rows) {
    long[] s = new long[13];
    Instant newest = null;
    for (ChannelWindow.Usage u : rows) {
      long[] v = {
        u.usageEvents(),
        u.requests(),
        u.inputTokens(),
        u.outputTokens(),
        u.identifiedRequests(),
        u.errorRequests(),
        u.fullTelemetryRequests(),
        u.feedbackEvents(),
        u.trainableFeedback(),
        u.coveredRequests(),
        u.feedbackReceived(),
        u.trainableReceived(),
        0
      };
      for (int i = 0; i < v.length; i++) {
        s[i] += v[i];
      }
      if (u.newestEventTime() != null && (newest == null || u.newestEventTime().isAfter(newest))) {
        newest = u.newestEventTime();
      }
    }
    return new ChannelWindow.Usage(
        start,
        channelId,
        route,
        partnerId,
        controlPoints,
        s[0],
        s[1],
        s[2],
        s[3],
        0,
        0,
        s[4],
        s[5],
        null,
        null,
        null,
        s[6],
        s[7],
        s[8],
        s[9],
        newest,
        s[10],
        s[11]);
  }

  /** Revenue summed into one window per key (channel or route) and currency. */
  static List<ChannelWindow.Money> sumMoney(
      Instant start, List<ChannelWindow.Money> rows, Function<ChannelWindow.Money, String> key) {
    Map<String, List<ChannelWindow.Money>> groups =
        rows.stream()
            .collect(
                Collectors.groupingBy(
                    m -> key.apply(m) + "|" + m.currency(), TreeMap::new, Collectors.toList()));
    List<ChannelWindow.Money> out = new ArrayList<>();
    groups.forEach(
        (k, ms) -> {
          ChannelWindow.Money first = ms.get(0);
          BigDecimal[] s = {
            BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO
          };
          long events = 0;
          for (ChannelWindow.Money m : ms) {
            s[0] = s[0].add(m.gross());
            s[1] = s[1].add(m.netWhereGrossKnown());
            s[2] = s[2].add(m.partnerFee());
            s[3] = s[3].add(m.net());
            s[4] = s[4].add(m.netBilledByLab());
            events += m.billingEvents();
          }
          out.add(
              new ChannelWindow.Money(
                  start,
                  key.apply(first),
                  first.currency(),
                  first.route(),
                  first.partnerId(),
                  events,
                  s[0],
                  s[1],
                  s[2],
                  s[3],
                  s[4]));
        });
    return out;
  }

  private static List<Review.Day> days(
      YearMonth month,
      String route,
      List<ReachControl.Window> dailyControl,
      Map<Instant, List<ChannelWindow.Usage>> routeDays,
      Map<String, Learning.Row> routeDayLearning,
      List<ChannelWindow.Money> dayMoney) {
    Map<Instant, ReachControl.Window> control =
        dailyControl.stream().collect(Collectors.toMap(ReachControl.Window::windowStart, w -> w));
    List<Review.Day> days = new ArrayList<>();
    for (int d = 1; d <= month.lengthOfMonth(); d++) {
      LocalDate day = month.atDay(d);
      Instant at = day.atStartOfDay(ZoneOffset.UTC).toInstant();
      long requests =
          routeDays.getOrDefault(at, List.of()).stream()
              .filter(u -> u.route().equals(route))
              .mapToLong(ChannelWindow.Usage::requests)
              .sum();
      double weighted = 0;
      long scored = 0;
      ReachControl.Window window = control.get(at);
      if (window != null) {
        for (ReachControl.Row r : window.channels()) {
          if (r.route().equals(route) && r.controlScore() != null) {
            weighted += r.controlScore() * r.requests();
            scored += r.requests();
          }
        }
      }
      Learning.Row learning = routeDayLearning.get(at + "|" + route);
      Map<String, BigDecimal> net = new TreeMap<>();
      dayMoney.stream()
          .filter(m -> m.windowStart().equals(at) && m.route().equals(route))
          .forEach(m -> net.merge(m.currency(), m.net(), BigDecimal::add));
      days.add(
          new Review.Day(
              day,
              requests,
              scored == 0 ? null : weighted / scored,
              learning == null ? null : learning.trainableRate(),
              net));
    }
    return days;
  }

  /**
   * Points per owner, weighted by each channel's month requests; channels the registry does not
   * know are left out.
   */
  private static Review.Ownership ownership(
      List<ChannelWindow.Usage> channels, Map<String, ControlPointMap.Row> registry) {
    double lab = 0;
    double partner = 0;
    double customer = 0;
    long weight = 0;
    List<ControlPointMap.Row> rows = new ArrayList<>();
    for (ChannelWindow.Usage c : channels) {
      ControlPointMap.Row r = registry.get(c.channelId());
      if (r == null) {
        continue;
      }
      rows.add(r);
      List<String> owners =
          List.of(
              r.identityOwner(),
              r.workflowOwner(),
              r.procurementOwner(),
              r.governanceOwner(),
              r.billingOwner(),
              r.interfaceOwner());
      lab += c.requests() * owners.stream().filter("LAB"::equals).count();
      partner += c.requests() * owners.stream().filter("PARTNER"::equals).count();
      customer += c.requests() * owners.stream().filter("CUSTOMER"::equals).count();
      weight += c.requests();
    }
    return weight == 0
        ? new Review.Ownership(0, 0, 0, rows)
        : new Review.Ownership(lab / weight, partner / weight, customer / weight, rows);
  }

  private static List<Review.VolumeWithoutControl> volumeWithoutControl(
      Map<String, ReachControl.Row> month, List<ReachControl.Window> daily) {
    Map<String, int[]> days = new TreeMap<>(); // flagged, with traffic
    for (ReachControl.Window w : daily) {
      for (ReachControl.Row r : w.channels()) {
        int[] c = days.computeIfAbsent(r.channelId(), k -> new int[2]);
        c[0] += r.volumeWithoutControl() ? 1 : 0;
        c[1] += r.requests() > 0 ? 1 : 0;
      }
    }
    List<Review.VolumeWithoutControl> flagged = new ArrayList<>();
    days.forEach(
        (channel, c) -> {
          ReachControl.Row m = month.get(channel);
          boolean monthFlag = m != null && m.volumeWithoutControl();
          if (monthFlag || c[0] > 0) {
            flagged.add(
                new Review.VolumeWithoutControl(
                    channel,
                    m == null ? null : m.route(),
                    monthFlag,
                    c[0],
                    c[1],
                    m == null ? null : m.requestShare(),
                    m == null ? null : m.controlScore()));
          }
        });
    return flagged;
  }

  /**
   * Statements whose request or net gap is beyond ±bound %, or that state something where nothing
   * was metered.
   */
  static List<Reconciliation.Row> gaps(List<Reconciliation.Row> statements, double bound) {
    return statements.stream()
        .filter(
            r ->
                beyond(r.requestGapPercent(), bound)
                    || beyond(r.netGapPercent(), bound)
                    || (r.netGapPercent() == null && r.reportedNet().signum() != 0)
                    || (r.requestGapPercent() == null
                        && r.reportedRequests() != null
                        && r.reportedRequests() != 0))
        .toList();
  }

  private static boolean beyond(Double percent, double bound) {
    return percent != null && Math.abs(percent) > bound;
  }

  /**
   * The coverage-drop rule judged on every day of the month (its clock set lag days after the day).
   */
  private static List<Review.CoverageDrop> coverageDrops(Inputs in) throws Exception {
    AlertRules.FeedbackCoverageDrop c = in.coverage();
    FeedbackCoverageDropRule rule =
        new FeedbackCoverageDropRule(c.maxDrop(), c.trailingDays(), c.lagDays(), c.minRequests());
    AlertInputs windows =
        new AlertInputs() {
          @Override
          public List<ChannelWindow.Usage> usage(TimeRange range) {
            return in.dayUsage().stream()
                .filter(
                    u ->
                        !u.windowStart().isBefore(range.from())
                            && u.windowStart().isBefore(range.until())
                            && (range.channels().isEmpty()
                                || range.channels().contains(u.channelId())))
                .toList();
          }

          @Override
          public List<ChannelWindow.Money> revenue(TimeRange range) {
            return List.of();
          }

          @Override
          public List<PartnerStatement> statements(Instant since) {
            return List.of();
          }
        };
    List<Review.CoverageDrop> drops = new ArrayList<>();
    for (int d = 1; d <= in.month().lengthOfMonth(); d++) {
      LocalDate day = in.month().atDay(d);
      Instant now = day.plusDays(c.lagDays()).atStartOfDay(ZoneOffset.UTC).toInstant();
      for (Finding f : rule.evaluate(windows, now)) {
        drops.add(new Review.CoverageDrop(day, f));
      }
    }
    return drops;
  }

  private static Review.WhatIfs whatIfs(Inputs in, List<ChannelWindow.Money> channelMoney) {
    Map<String, Long> requests = new TreeMap<>();
    Map<String, Boolean> direct = new HashMap<>();
    for (ChannelWindow.Usage u : in.hourUsage()) {
      requests.merge(u.channelId(), u.requests(), Long::sum);
      direct.put(u.channelId(), u.isDirect());
    }
    Map<String, BigDecimal> labNet = new TreeMap<>();
    for (ChannelWindow.Money m : channelMoney) {
      labNet.merge(m.currency(), m.net(), BigDecimal::add);
    }
    List<Review.Candidate> candidates = new ArrayList<>();
    for (String source : requests.keySet()) {
      if (direct.get(source) || requests.get(source) == 0) {
        continue;
      }
      for (String target : requests.keySet()) {
        if (!direct.get(target) || requests.get(target) == 0) {
          continue;
        }
        WhatIf.Shift shift = new WhatIf.Shift(source, target, in.fraction());
        List<WhatIf.Row> rows = WhatIf.compute(in.hourUsage(), in.hourMoney(), shift);
        WhatIf.Row period = rows.get(rows.size() - 1);
        // At risk: the shifted fraction of the source's net in the windows the what-if evaluated.
        Map<String, BigDecimal> sourceNet = new TreeMap<>();
        for (WhatIf.Row w : rows) {
          if ("WINDOW".equals(w.scope()) && w.note() == null) {
            in.hourMoney().stream()
                .filter(
                    m -> m.channelId().equals(source) && m.windowStart().equals(w.windowStart()))
                .forEach(m -> sourceNet.merge(m.currency(), m.net(), BigDecimal::add));
          }
        }
        Map<String, BigDecimal> atRisk = new TreeMap<>();
        double percent = 0;
        boolean anyNet = false;
        for (Map.Entry<String, BigDecimal> net : sourceNet.entrySet()) {
          BigDecimal risk =
              in.fraction().multiply(net.getValue()).setScale(4, RoundingMode.HALF_EVEN);
          atRisk.put(net.getKey(), risk);
          BigDecimal total = labNet.getOrDefault(net.getKey(), BigDecimal.ZERO);
          if (total.signum() > 0 && risk.signum() > 0) {
            percent +=
                risk.multiply(BigDecimal.valueOf(100))
                    .divide(total, MathContext.DECIMAL64)
                    .doubleValue();
            anyNet = true;
          }
        }
        Double gain = period.controlScoreChange();
        candidates.add(
            new Review.Candidate(
                shift,
                period,
                atRisk,
                anyNet ? percent : null,
                anyNet && gain != null ? gain / percent : null));
      }
    }
    // Gains first; among them nothing at risk first (by gain), then by gain per percent at risk;
    // then the rest by gain.
    Comparator<Review.Candidate> order =
        Comparator.comparing((Review.Candidate c) -> !(gain(c) > 0))
            .thenComparing(c -> c.gainPerPercent() != null)
            .thenComparing(c -> -(c.gainPerPercent() == null ? gain(c) : c.gainPerPercent()))
            .thenComparing(c -> c.shift().channelId() + "|" + c.shift().toChannelId());
    List<Review.Candidate> ranked = candidates.stream().sorted(order).toList();
    Review.Candidate top = ranked.stream().filter(c -> gain(c) > 0).findFirst().orElse(null);
    return new Review.WhatIfs(in.fraction(), ranked, top);
  }

  private static double gain(Review.Candidate c) {
    return Objects.requireNonNullElse(c.period().controlScoreChange(), 0.0);
  }
}
