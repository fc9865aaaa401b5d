package dev.routemetrics.tools.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.query.ChannelWindow;
import dev.routemetrics.query.Learning;
import dev.routemetrics.query.MetricsReader;
import dev.routemetrics.query.ReachControl;
import dev.routemetrics.query.Reconciliation;
import dev.routemetrics.query.TimeRange;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * `routemetrics verify`: ClickHouse against a simulation's expected-metrics.json, computed
 * independently of the pipeline. Every channel-window row of one window size field by field
 * (counts, ratios, revenue per currency), every window's cross-channel figures, every partner
 * statement's reconciliation. Every count must be equal, except distinct counts of 10,000 and more,
 * which docs/domain.md lets a sketch estimate within 2 %; ratios agree to 1e-9 (both sides divide
 * the same exact counts); money is equal to the last decimal.
 */
public final class Verification {

  /**
   * The fields compared, as named in expected-metrics.json and read from channel_metrics. The
   * learning counts per docs/domain.md: feedback_events, trainable_feedback and covered_requests
   * about the window's requests (in the request's window), feedback_received and trainable_received
   * by the feedback's own.
   */
  static final List<String> FIELDS =
      List.of(
          "usage_events",
          "requests",
          "input_tokens",
          "output_tokens",
          "active_accounts",
          "visible_end_users",
          "control_points_owned",
          "feedback_events",
          "trainable_feedback",
          "covered_requests",
          "feedback_received",
          "trainable_received");

  /**
   * The ratios of a row, as named in expected-metrics.json: per channel (request share against all
   * channels of the window, learning loss and lost signals against the direct routes pooled) and,
   * for capture rate and billing ownership, the mean over the row's currencies.
   */
  static final List<String> RATIOS =
      List.of(
          "request_share",
          "identity_visibility",
          "error_rate",
          "capture_rate",
          "billing_ownership",
          "control_score",
          "feedback_coverage",
          "trainable_rate",
          "telemetry_full_share",
          "learning_loss",
          "lost_signals");

  /**
   * The ratios that need the window's usage: absent, with the counts, from a window with only
   * billing in it.
   */
  private static final Set<String> USAGE_RATIOS =
      Set.of(
          "request_share",
          "identity_visibility",
          "error_rate",
          "control_score",
          "feedback_coverage",
          "trainable_rate",
          "telemetry_full_share",
          "learning_loss",
          "lost_signals");

  /** Per currency of a row: amounts (exact) and their ratios. */
  static final List<String> MONEY = List.of("gross", "partner_fee", "net", "net_billed_by_lab");

  /** Per window, across its channels. */
  static final List<String> WINDOW_FIELDS =
      List.of(
          "requests", "direct_trainable_rate", "partner_concentration", "volume_without_control");

  /**
   * Per partner statement, every field. The metered net is what the partner billed over the
   * statement's period (docs/domain.md: "for that partner and period"); it disagreed by 1-8 % while
   * the warehouse also counted lab-billed revenue and hourly charges were dated at the end of their
   * hour.
   */
  static final List<String> RECONCILIATION_FIELDS =
      List.of(
          "channel_id",
          "period_start",
          "period_end",
          "currency",
          "reported_requests",
          "metered_requests",
          "request_discrepancy_percent",
          "statement_net",
          "metered_net",
          "net_discrepancy_percent");

  /**
   * Fields compared as numbers within {@link #RATIO_TOLERANCE}: both sides divide the same exact
   * counts, in other orders.
   */
  private static final Set<String> APPROXIMATE =
      Set.of(
          "request_share",
          "identity_visibility",
          "error_rate",
          "capture_rate",
          "billing_ownership",
          "control_score",
          "feedback_coverage",
          "trainable_rate",
          "telemetry_full_share",
          "learning_loss",
          "lost_signals",
          "direct_trainable_rate",
          "partner_concentration",
          "request_discrepancy_percent",
          "net_discrepancy_percent");

  static final double RATIO_TOLERANCE = 1e-9;

  /**
   * Distinct counts a sketch may estimate: docs/domain.md asks for exact below 10,000, within 2 %
   * above.
   */
  private static final List<String> DISTINCT = List.of("active_accounts", "visible_end_users");

  private static final long EXACT_BELOW = 10_000;
  private static final double SKETCH_ERROR = 0.02;

  /** Relative errors of the distinct counts the last comparison accepted as estimates. */
  private final List<Double> estimates = new ArrayList<>();

  private final WindowSize window;

  /** A comparison of the rows of {@code window}'s size. */
  public Verification(WindowSize window) {
    this.window = window;
  }

  /**
   * Compares the ClickHouse that {@code config} names with {@code expectedFile}, waiting up to
   * {@code timeoutSeconds} for them to agree; the verdict goes to {@code out}, the waiting to
   * {@code progress}. Returns the exit code: 0 when everything is equal, else 1.
   */
  public int run(
      Path expectedFile,
      WarehouseConfig config,
      int timeoutSeconds,
      PrintStream out,
      PrintStream progress)
      throws Exception {
    JsonNode root = new ObjectMapper().readTree(expectedFile.toFile());
    // Late billing and feedback can land in windows after the simulated period: read every window
    // the file names.
    Instant from = Instant.parse(root.path("simulation").path("start").asText());
    Instant until = Instant.parse(root.path("simulation").path("end").asText());
    int rows = 0;
    for (JsonNode row : root.path("rows")) {
      if (row.path("window").asText().equals(window.name())) {
        Instant start = Instant.parse(row.path("window_start").asText());
        from = start.isBefore(from) ? start : from;
        until = start.plusSeconds(1).isAfter(until) ? start.plusSeconds(1) : until;
        rows++;
      }
    }
    Instant statementsFrom = from;
    Instant statementsUntil = until;
    for (JsonNode statement : root.path("reconciliation")) {
      Instant start = Instant.parse(statement.path("period_start").asText());
      statementsFrom = start.isBefore(statementsFrom) ? start : statementsFrom;
      statementsUntil =
          start.plusSeconds(1).isAfter(statementsUntil) ? start.plusSeconds(1) : statementsUntil;
    }
    ClickHouse clickHouse = new ClickHouse(config);
    MetricsReader reader = new MetricsReader(clickHouse, config.database());
    Reconciliation reconciliation = new Reconciliation(clickHouse, config.database());
    TimeRange range = new TimeRange(window, from, until, List.of());
    TimeRange statements =
        new TimeRange(WindowSize.HOUR, statementsFrom, statementsUntil, List.of());
    long deadline = System.currentTimeMillis() + timeoutSeconds * 1000L;
    List<String> differences =
        compare(
            root, reader.metrics(range), reader.revenue(range), reconciliation.compute(statements));
    while (!differences.isEmpty() && System.currentTimeMillis() < deadline) {
      progress.printf(
          "\rwaiting for ClickHouse: %d of %d %s rows, windows and statements differ   ",
          rowsIn(differences), rows, window);
      Thread.sleep(1_000);
      differences =
          compare(
              root,
              reader.metrics(range),
              reader.revenue(range),
              reconciliation.compute(statements));
    }
    progress.println();
    int windows = expectedWindows(root).size();
    int statementCount = root.path("reconciliation").size();
    if (differences.isEmpty()) {
      out.printf(
          "verified: all %d %s channel-window rows in ClickHouse equal the independent expectation"
              + " (%d counts, %d ratios and revenue per currency each), and the %d windows'"
              + " cross-channel figures and %d partner statements%s%n",
          rows,
          window,
          FIELDS.size(),
          RATIOS.size(),
          windows,
          statementCount,
          estimates.isEmpty()
              ? ""
              : String.format(
                  "; %d distinct counts of %,d or more within the sketch's bound, largest error"
                      + " %.2f %%",
                  estimates.size(),
                  EXACT_BELOW,
                  100 * estimates.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
      return 0;
    }
    out.printf(
        "%d of %d %s rows, %d windows and %d statements: these differ from the expectation:%n",
        rowsIn(differences), rows, window, windows, statementCount);
    differences.stream().limit(20).forEach(d -> out.println("  " + d));
    return 1;
  }

  /**
   * Every difference between the expectation and what ClickHouse holds: each channel-window row of
   * this window size (counts, ratios, money per currency), each window's cross-channel figures, and
   * each partner statement. One line per field, {@code "<row> <field>: expected X, ClickHouse has
   * Y"}.
   */
  List<String> compare(
      JsonNode root,
      List<ChannelWindow.Usage> usage,
      List<ChannelWindow.Money> revenue,
      List<Reconciliation.Row> statements) {
    Map<String, Map<String, String>> expected = new TreeMap<>();
    for (JsonNode row : root.path("rows")) {
      if (row.path("window").asText().equals(window.name())) {
        expected.put(
            key(Instant.parse(row.path("window_start").asText()), row.path("channel_id").asText()),
            fields(row));
      }
    }
    Map<String, Map<String, String>> actual = actualRows(usage, revenue);
    List<String> differences = new ArrayList<>();
    estimates.clear();
    for (Map.Entry<String, Map<String, String>> e : expected.entrySet()) {
      Map<String, String> got = actual.getOrDefault(e.getKey(), Map.of());
      // A window with only billing in it has no channel_metrics row: nothing of its usage to
      // compare.
      boolean usageExpected =
          FIELDS.stream()
              .filter(f -> !f.equals("control_points_owned"))
              .anyMatch(f -> !"0".equals(e.getValue().get(f)));
      for (Map.Entry<String, String> field : e.getValue().entrySet()) {
        boolean ofUsage = FIELDS.contains(field.getKey()) || USAGE_RATIOS.contains(field.getKey());
        if (!usageExpected && !got.containsKey("requests") && ofUsage) {
          continue;
        }
        String has = got.get(field.getKey());
        if (!same(field.getKey(), field.getValue(), has)
            && !isEstimate(field.getKey(), field.getValue(), has)) {
          differences.add(
              e.getKey()
                  + " "
                  + field.getKey()
                  + ": expected "
                  + field.getValue()
                  + ", ClickHouse has "
                  + has);
        }
      }
    }
    Map<Instant, Map<String, String>> actualWindows = actualWindows(usage, revenue);
    expectedWindows(root)
        .forEach(
            (start, fields) -> {
              Map<String, String> got = actualWindows.get(start);
              if (got == null && "0".equals(fields.get("requests"))) {
                return; // billing only: no usage row, nothing across channels to compare
              }
              fields.forEach(
                  (name, value) -> {
                    String has = got == null ? null : got.get(name);
                    if (!same(name, value, has)) {
                      differences.add(
                          start
                              + " (window) "
                              + name
                              + ": expected "
                              + value
                              + ", ClickHouse has "
                              + has);
                    }
                  });
            });
    Map<String, Map<String, String>> actualStatements = new TreeMap<>();
    for (Reconciliation.Row r : statements) {
      actualStatements.put(r.billingId(), statementFields(r));
    }
    for (JsonNode statement : root.path("reconciliation")) {
      String id = statement.path("billing_id").asText();
      Map<String, String> got = actualStatements.getOrDefault(id, Map.of());
      for (String name : RECONCILIATION_FIELDS) {
        String value = text(statement.path(name), name.endsWith("_net"));
        if (!same(name, value, got.get(name))) {
          differences.add(
              "statement "
                  + id
                  + " "
                  + name
                  + ": expected "
                  + value
                  + ", ClickHouse has "
                  + got.get(name));
        }
      }
    }
    return differences;
  }

  /** Per window of this size: the cross-channel figures the file expects. */
  private Map<Instant, Map<String, String>> expectedWindows(JsonNode root) {
    Map<Instant, Map<String, String>> windows = new TreeMap<>();
    for (JsonNode w : root.path("windows")) {
      if (w.path("window").asText().equals(window.name())) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String name : WINDOW_FIELDS) {
          f.put(name, text(w.path(name), false));
        }
        windows.put(Instant.parse(w.path("window_start").asText()), f);
      }
    }
    return windows;
  }

  /**
   * Each stored row's compared fields: counts, the ratios the query views derive, money per
   * currency.
   */
  static Map<String, Map<String, String>> actualRows(
      List<ChannelWindow.Usage> usage, List<ChannelWindow.Money> revenue) {
    Map<String, Map<String, String>> actual = new TreeMap<>();
    Map<String, ReachControl.Row> reach = new TreeMap<>();
    ReachControl.compute(usage, revenue)
        .forEach(w -> w.channels().forEach(r -> reach.put(key(r.windowStart(), r.channelId()), r)));
    Map<String, Learning.Row> learning = new TreeMap<>();
    Learning.compute(usage).forEach(r -> learning.put(key(r.windowStart(), r.channelId()), r));
    for (ChannelWindow.Usage u : usage) {
      String key = key(u.windowStart(), u.channelId());
      Map<String, String> f = fields(u);
      f.put("request_share", number(reach.get(key).requestShare()));
      f.put("identity_visibility", number(u.identityVisibility()));
      f.put("error_rate", number(u.errorRate()));
      f.put("control_score", number(reach.get(key).controlScore()));
      f.put("feedback_coverage", number(u.feedbackCoverage()));
      f.put("trainable_rate", number(u.trainableRate()));
      f.put("telemetry_full_share", number(u.telemetryFullShare()));
      f.put("learning_loss", number(learning.get(key).learningLoss()));
      f.put("lost_signals", number(learning.get(key).lostSignals()));
      actual.put(key, f);
    }
    Map<String, List<Double>> capture = new TreeMap<>();
    Map<String, List<Double>> ownership = new TreeMap<>();
    for (ChannelWindow.Money m : revenue) {
      String key = key(m.windowStart(), m.channelId());
      Map<String, String> f = actual.computeIfAbsent(key, k -> new LinkedHashMap<>());
      f.put("gross " + m.currency(), amount(m.gross()));
      f.put("partner_fee " + m.currency(), amount(m.partnerFee()));
      f.put("net " + m.currency(), amount(m.net()));
      f.put("net_billed_by_lab " + m.currency(), amount(m.netBilledByLab()));
      f.put("capture_rate " + m.currency(), number(m.captureRate()));
      f.put("billing_ownership " + m.currency(), number(m.billingOwnership()));
      capture.computeIfAbsent(key, k -> new ArrayList<>());
      ownership.computeIfAbsent(key, k -> new ArrayList<>());
      if (m.captureRate() != null) {
        capture.get(key).add(m.captureRate());
      }
      if (m.billingOwnership() != null) {
        ownership.get(key).add(m.billingOwnership());
      }
    }
    actual.forEach(
        (key, f) -> {
          f.put("capture_rate", mean(capture.get(key)));
          f.put("billing_ownership", mean(ownership.get(key)));
        });
    return actual;
  }

  /**
   * Per stored window: requests of all channels, the direct routes' trainable rate, HHI, the
   * flagged channels.
   */
  static Map<Instant, Map<String, String>> actualWindows(
      List<ChannelWindow.Usage> usage, List<ChannelWindow.Money> revenue) {
    Map<Instant, Double> direct = new TreeMap<>();
    Learning.compute(usage).forEach(r -> direct.put(r.windowStart(), r.directTrainableRate()));
    Map<Instant, Map<String, String>> windows = new TreeMap<>();
    for (ReachControl.Window w : ReachControl.compute(usage, revenue)) {
      Map<String, String> f = new LinkedHashMap<>();
      f.put(
          "requests",
          String.valueOf(w.channels().stream().mapToLong(ReachControl.Row::requests).sum()));
      f.put("direct_trainable_rate", number(direct.get(w.windowStart())));
      f.put("partner_concentration", number(w.partnerConcentration()));
      f.put(
          "volume_without_control",
          w.channels().stream()
              .filter(ReachControl.Row::volumeWithoutControl)
              .map(ReachControl.Row::channelId)
              .sorted()
              .toList()
              .toString());
      windows.put(w.windowStart(), f);
    }
    return windows;
  }

  private static Map<String, String> statementFields(Reconciliation.Row r) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("channel_id", r.channelId());
    f.put("period_start", r.periodStart().toString());
    f.put("period_end", r.periodEnd().toString());
    f.put("currency", r.currency());
    f.put("reported_requests", String.valueOf(r.reportedRequests()));
    f.put("metered_requests", String.valueOf(r.meteredRequests()));
    f.put("request_discrepancy_percent", number(r.requestGapPercent()));
    f.put("statement_net", amount(r.reportedNet()));
    f.put("metered_net", amount(r.meteredNet()));
    f.put("net_discrepancy_percent", number(r.netGapPercent()));
    return f;
  }

  /**
   * Equal as text, or, for a ratio, both null or within {@link #RATIO_TOLERANCE} of each other
   * (relative above 1).
   */
  static boolean same(String field, String expected, String actual) {
    if (expected.equals(actual)) {
      return true;
    }
    String name = field.contains(" ") ? field.substring(0, field.indexOf(' ')) : field;
    if (!APPROXIMATE.contains(name)
        || actual == null
        || expected.equals("null")
        || actual.equals("null")) {
      return false;
    }
    double e = Double.parseDouble(expected);
    return Math.abs(e - Double.parseDouble(actual)) <= RATIO_TOLERANCE * Math.max(1, Math.abs(e));
  }

  private static String number(Double value) {
    return value == null ? "null" : String.valueOf(value);
  }

  private static String mean(List<Double> values) {
    return values == null || values.isEmpty()
        ? "null"
        : String.valueOf(values.stream().mapToDouble(Double::doubleValue).average().orElseThrow());
  }

  private static String amount(BigDecimal value) {
    return value.stripTrailingZeros().toPlainString();
  }

  /**
   * A JSON value as compared: null, a number, an exact amount (money), an array of ids in order, or
   * text.
   */
  private static String text(JsonNode value, boolean money) {
    if (value.isNull() || value.isMissingNode()) {
      return "null";
    }
    if (money) {
      return amount(new BigDecimal(value.asText()));
    }
    if (value.isArray()) {
      List<String> ids = new ArrayList<>();
      value.forEach(v -> ids.add(v.asText()));
      return ids.stream().sorted().toList().toString();
    }
    return value.isFloatingPointNumber() ? String.valueOf(value.asDouble()) : value.asText();
  }

  /**
   * A distinct count of 10,000 or more that is within 2 % of the exact one; recorded in {@link
   * #estimates}.
   */
  boolean isEstimate(String field, String expected, String actual) {
    if (!DISTINCT.contains(field) || actual == null || Long.parseLong(expected) < EXACT_BELOW) {
      return false;
    }
    double error =
        Math.abs(Long.parseLong(actual) - Long.parseLong(expected))
            / (double) Long.parseLong(expected);
    if (error > SKETCH_ERROR) {
      return false;
    }
    estimates.add(error);
    return true;
  }

  private static long rowsIn(List<String> differences) {
    return differences.stream()
        .map(d -> d.substring(0, d.indexOf(' ', d.indexOf(' ') + 1)))
        .distinct()
        .count();
  }

  /** The compared fields of a channel_metrics row, as text, named as in {@link #FIELDS}. */
  static Map<String, String> fields(ChannelWindow.Usage u) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("usage_events", String.valueOf(u.usageEvents()));
    f.put("requests", String.valueOf(u.requests()));
    f.put("input_tokens", String.valueOf(u.inputTokens()));
    f.put("output_tokens", String.valueOf(u.outputTokens()));
    f.put("active_accounts", String.valueOf(u.activeAccounts()));
    f.put("visible_end_users", String.valueOf(u.visibleEndUsers()));
    f.put("control_points_owned", String.valueOf(u.controlPointsOwned()));
    f.put("feedback_events", String.valueOf(u.feedbackEvents()));
    f.put("trainable_feedback", String.valueOf(u.trainableFeedback()));
    f.put("covered_requests", String.valueOf(u.coveredRequests()));
    f.put("feedback_received", String.valueOf(u.feedbackReceived()));
    f.put("trainable_received", String.valueOf(u.trainableReceived()));
    return f;
  }

  /**
   * The compared fields of one expected row, and its revenue per currency.
   *
   * @throws IllegalArgumentException when the row lacks a compared field: a file an older simulator
   *     wrote (before feedback_received, say), whose learning counts followed older definitions
   */
  static Map<String, String> fields(JsonNode row) {
    Map<String, String> f = new LinkedHashMap<>();
    for (String name : FIELDS) {
      if (!row.path(name).isIntegralNumber()) {
        throw new IllegalArgumentException(
            "expected-metrics.json row "
                + row.path("window").asText()
                + " "
                + row.path("window_start").asText()
                + " "
                + row.path("channel_id").asText()
                + " has no integer field '"
                + name
                + "': the file was written by an older `routemetrics simulate`; simulate again to"
                + " verify against it");
      }
      f.put(name, row.path(name).asText());
    }
    for (String name : RATIOS) {
      f.put(name, text(row.path(name), false));
    }
    for (JsonNode money : row.path("revenue")) {
      String currency = money.path("currency").asText();
      for (String name : MONEY) {
        f.put(name + " " + currency, text(money.path(name), true));
      }
      f.put("capture_rate " + currency, text(money.path("capture_rate"), false));
      f.put("billing_ownership " + currency, text(money.path("billing_ownership"), false));
    }
    return f;
  }

  private static String key(Instant windowStart, String channelId) {
    return windowStart + " " + channelId;
  }
}
