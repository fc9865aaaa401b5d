package dev.routemetrics.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.warehouse.ClickHouse;
import dev.routemetrics.warehouse.WarehouseConfig;
import dev.routemetrics.warehouse.query.ChannelWindow;
import dev.routemetrics.warehouse.query.MetricsReader;
import dev.routemetrics.warehouse.query.TimeRange;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Check ClickHouse against a simulation's expected-metrics.json.",
        "The file is computed independently of the pipeline; every channel-window row is compared field by field (counts, ratios, revenue per currency).",
        "Then every window's cross-channel figures (requests, direct trainable rate, partner concentration, volume without control), and every partner statement's reconciliation.",
        "Every count must be equal, except distinct counts (active_accounts, visible_end_users) of 10,000 and more, which DOMAIN.md lets a sketch estimate within 2 %.",
        "Ratios must agree to 1e-9 (both sides divide the same exact counts); money must be equal to the last decimal.",
        "It waits until they agree or --timeout passes; exit code 0 when everything is equal."})
final class VerifyCommand implements Callable<Integer> {

  /**
   * The fields compared, as named in expected-metrics.json and read from channel_metrics. The learning
   * counts per DOMAIN.md: feedback_events, trainable_feedback and covered_requests about the window's
   * requests (in the request's window), feedback_received and trainable_received by the feedback's own.
   */
  static final List<String> FIELDS = List.of("usage_events", "requests", "input_tokens", "output_tokens",
      "active_accounts", "visible_end_users", "control_points_owned", "feedback_events", "trainable_feedback",
      "covered_requests", "feedback_received", "trainable_received");

  /** Distinct counts a sketch may estimate: DOMAIN.md asks for exact below 10,000, within 2 % above. */
  private static final List<String> DISTINCT = List.of("active_accounts", "visible_end_users");
  private static final long EXACT_BELOW = 10_000;
  private static final double SKETCH_ERROR = 0.02;

  /** Relative errors of the distinct counts the last comparison accepted as estimates. */
  private final List<Double> estimates = new ArrayList<>();

  @Mixin Settings settings;

  @Parameters(index = "0", description = "The expected-metrics.json a `routemetrics simulate` run wrote.")
  Path expectedFile;

  @Option(names = "--window", defaultValue = "HOUR", description = "Window size to compare: MINUTE, HOUR or DAY (default: ${DEFAULT-VALUE}).")
  TimeRange.WindowSize window;

  @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait for the numbers to land (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    JsonNode root = new ObjectMapper().readTree(expectedFile.toFile());
    // Late billing and feedback can land in windows after the simulated period: read every window the file names.
    Instant from = Instant.parse(root.path("simulation").path("start").asText());
    Instant until = Instant.parse(root.path("simulation").path("end").asText());
    Map<String, Map<String, String>> expected = new TreeMap<>();
    for (JsonNode row : root.path("rows")) {
      if (row.path("window").asText().equals(window.name())) {
        Instant start = Instant.parse(row.path("window_start").asText());
        from = start.isBefore(from) ? start : from;
        until = start.plusSeconds(1).isAfter(until) ? start.plusSeconds(1) : until;
        expected.put(key(start, row.path("channel_id").asText()), fields(row));
      }
    }
    WarehouseConfig config = new WarehouseConfig(settings.overrides);
    MetricsReader reader = new MetricsReader(new ClickHouse(config), config.database());
    TimeRange range = new TimeRange(window, from, until, List.of());
    long deadline = System.currentTimeMillis() + timeoutSeconds * 1000L;
    List<String> differences = compare(expected, reader, range);
    while (!differences.isEmpty() && System.currentTimeMillis() < deadline) {
      System.err.printf("\rwaiting for ClickHouse: %d of %d %s rows differ   ", rowsIn(differences), expected.size(), window);
      Thread.sleep(1_000);
      differences = compare(expected, reader, range);
    }
    System.err.println();
    if (differences.isEmpty()) {
      System.out.printf("verified: all %d %s channel-window rows in ClickHouse equal the independent expectation"
          + " (%d fields each, revenue per currency)%s%n", expected.size(), window, FIELDS.size(), estimates.isEmpty() ? ""
          : String.format("; %d distinct counts of %,d or more within the sketch's bound, largest error %.2f %%",
              estimates.size(), EXACT_BELOW, 100 * estimates.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
      return 0;
    }
    System.out.printf("%d of %d %s rows differ from the expectation:%n", rowsIn(differences), expected.size(), window);
    differences.stream().limit(20).forEach(d -> System.out.println("  " + d));
    return 1;
  }

  private List<String> compare(Map<String, Map<String, String>> expected, MetricsReader reader, TimeRange range)
      throws Exception {
    Map<String, Map<String, String>> actual = new TreeMap<>();
    for (ChannelWindow.Usage u : reader.metrics(range)) {
      actual.put(key(u.windowStart(), u.channelId()), fields(u));
    }
    for (ChannelWindow.Money m : reader.revenue(range)) {
      actual.computeIfAbsent(key(m.windowStart(), m.channelId()), k -> new LinkedHashMap<>())
          .put("net " + m.currency(), m.net().stripTrailingZeros().toPlainString());
    }
    List<String> differences = new ArrayList<>();
    estimates.clear();
    for (Map.Entry<String, Map<String, String>> e : expected.entrySet()) {
      Map<String, String> got = actual.getOrDefault(e.getKey(), Map.of());
      // A window with only billing in it has no channel_metrics row: nothing of its usage to compare.
      boolean usageExpected = FIELDS.stream().filter(f -> !f.equals("control_points_owned"))
          .anyMatch(f -> !"0".equals(e.getValue().get(f)));
      for (Map.Entry<String, String> field : e.getValue().entrySet()) {
        if (!usageExpected && !got.containsKey("requests") && FIELDS.contains(field.getKey())) {
          continue;
        }
        if (!field.getValue().equals(got.get(field.getKey())) && !isEstimate(field.getKey(), field.getValue(), got.get(field.getKey()))) {
          differences.add(e.getKey() + " " + field.getKey() + ": expected " + field.getValue() + ", ClickHouse has " + got.get(field.getKey()));
        }
      }
    }
    return differences;
  }

  /** A distinct count of 10,000 or more that is within 2 % of the exact one; recorded in {@link #estimates}. */
  boolean isEstimate(String field, String expected, String actual) {
    if (!DISTINCT.contains(field) || actual == null || Long.parseLong(expected) < EXACT_BELOW) {
      return false;
    }
    double error = Math.abs(Long.parseLong(actual) - Long.parseLong(expected)) / (double) Long.parseLong(expected);
    if (error > SKETCH_ERROR) {
      return false;
    }
    estimates.add(error);
    return true;
  }

  private static long rowsIn(List<String> differences) {
    return differences.stream().map(d -> d.substring(0, d.indexOf(' ', d.indexOf(' ') + 1))).distinct().count();
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
        throw new IllegalArgumentException("expected-metrics.json row " + row.path("window").asText() + " "
            + row.path("window_start").asText() + " " + row.path("channel_id").asText() + " has no integer field '" + name
            + "': the file was written by an older `routemetrics simulate`; simulate again to verify against it");
      }
      f.put(name, row.path(name).asText());
    }
    for (JsonNode money : row.path("revenue")) {
      f.put("net " + money.path("currency").asText(), new BigDecimal(money.path("net").asText()).stripTrailingZeros().toPlainString());
    }
    return f;
  }

  private static String key(Instant windowStart, String channelId) {
    return windowStart + " " + channelId;
  }
}
