package dev.routemetrics.query.alerts;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.routemetrics.schemas.windows.WindowSize;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The alert rules and where alerts go, from one JSON file; the defaults ship as {@code
 * /alerts/alerts.json} in the jar. Keys are snake_case; an unknown key or a bad value fails at
 * start with its name, never silently falls back.
 */
public record AlertRules(
    int evaluateEverySeconds,
    String topic,
    String webhookUrl,
    int keepRecent,
    VolumeWithoutControl volumeWithoutControl,
    FeedbackCoverageDrop feedbackCoverageDrop,
    StatementMismatch statementMismatch,
    Freshness freshness) {

  static final ObjectMapper JSON =
      new ObjectMapper()
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

  /**
   * (a) a channel in the top quartile of request share with a control score below 0.34, in the
   * latest window.
   */
  public record VolumeWithoutControl(boolean enabled, WindowSize window, int lookBackWindows) {}

  /**
   * (b) feedback coverage of a day fell by more than {@code maxDrop} (a fraction) against the
   * trailing days pooled.
   */
  public record FeedbackCoverageDrop(
      boolean enabled, double maxDrop, int trailingDays, int lagDays, long minRequests) {}

  /**
   * (c) a partner statement's requests or net differ from what was metered by more than a percent.
   */
  public record StatementMismatch(
      boolean enabled, double maxDiscrepancyPercent, int lookBackDays) {}

  /** (d) a channel's newest event is older than {@code maxSeconds}. */
  public record Freshness(boolean enabled, long maxSeconds, int lookBackDays) {}

  public AlertRules {
    require(evaluateEverySeconds >= 1, "evaluate_every_seconds: must be at least 1");
    require(
        topic != null && topic.matches("[A-Za-z0-9._-]+"),
        "topic: must be a Kafka topic name, was '" + topic + "'");
    webhookUrl = webhookUrl == null ? "" : webhookUrl.strip();
    require(
        webhookUrl.isEmpty() || webhookUrl.matches("https?://.+"),
        "webhook_url: must be http(s)://..., or empty");
    require(keepRecent >= 0, "keep_recent: must not be negative");
    require(
        volumeWithoutControl != null
            && volumeWithoutControl.window() != null
            && volumeWithoutControl.lookBackWindows() >= 1,
        "volume_without_control: needs window (MINUTE, HOUR or DAY) and look_back_windows >= 1");
    require(
        feedbackCoverageDrop != null
            && feedbackCoverageDrop.maxDrop() > 0
            && feedbackCoverageDrop.maxDrop() < 1
            && feedbackCoverageDrop.trailingDays() >= 1
            && feedbackCoverageDrop.lagDays() >= 0,
        "feedback_coverage_drop: max_drop must be in (0, 1), trailing_days >= 1, lag_days >= 0");
    require(
        statementMismatch != null
            && statementMismatch.maxDiscrepancyPercent() >= 0
            && statementMismatch.lookBackDays() >= 1,
        "statement_mismatch: max_discrepancy_percent >= 0, look_back_days >= 1");
    require(
        freshness != null && freshness.maxSeconds() >= 1 && freshness.lookBackDays() >= 1,
        "freshness: max_seconds >= 1, look_back_days >= 1");
  }

  /** The shipped defaults. */
  public static AlertRules defaults() {
    try (InputStream in = AlertRules.class.getResourceAsStream("/alerts/alerts.json")) {
      return parse(in.readAllBytes(), "/alerts/alerts.json (in the jar)");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The rules in a file, or the defaults when {@code file} is empty. */
  public static AlertRules load(String file) {
    if (file == null || file.isBlank()) {
      return defaults();
    }
    try {
      return parse(Files.readAllBytes(Path.of(file)), file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "alert rules: cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  static AlertRules parse(byte[] json, String source) {
    try {
      return JSON.readValue(json, AlertRules.class);
    } catch (IOException e) {
      Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
      throw new IllegalArgumentException("alert rules in " + source + ": " + cause.getMessage(), e);
    }
  }

  public Duration every() {
    return Duration.ofSeconds(evaluateEverySeconds);
  }

  /** The enabled rules. */
  public List<Rule> rules() {
    List<Rule> rules = new ArrayList<>();
    if (volumeWithoutControl.enabled()) {
      rules.add(
          new VolumeWithoutControlRule(
              volumeWithoutControl.window(), volumeWithoutControl.lookBackWindows()));
    }
    if (feedbackCoverageDrop.enabled()) {
      rules.add(
          new FeedbackCoverageDropRule(
              feedbackCoverageDrop.maxDrop(),
              feedbackCoverageDrop.trailingDays(),
              feedbackCoverageDrop.lagDays(),
              feedbackCoverageDrop.minRequests()));
    }
    if (statementMismatch.enabled()) {
      rules.add(
          new StatementMismatchRule(
              statementMismatch.maxDiscrepancyPercent(), statementMismatch.lookBackDays()));
    }
    if (freshness.enabled()) {
      rules.add(new FreshnessRule(freshness.maxSeconds(), freshness.lookBackDays()));
    }
    return rules;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
