package dev.routemetrics.simulator.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.routemetrics.simulator.expected.ExpectedMetrics;
import dev.routemetrics.simulator.expected.MetricsRow;
import dev.routemetrics.simulator.expected.StatementReconciliation;
import dev.routemetrics.simulator.expected.WindowSize;
import dev.routemetrics.simulator.expected.WindowSummary;
import dev.routemetrics.simulator.traffic.Family;
import dev.routemetrics.simulator.traffic.Injection;
import dev.routemetrics.simulator.traffic.SimulationPlan;
import dev.routemetrics.simulator.traffic.TrafficSimulator;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code expected-metrics.json}: what the pipeline must compute from the simulated events. One row
 * per channel, window size and window start, keyed by {@code (window, window_start, channel_id)} so
 * a test can join it with the pipeline's output row by row; then one reconciliation per partner
 * statement; then the injected records the pipeline must set aside or reject, by event_id. Money is
 * a decimal string; ratios are numbers, or null where the denominator is zero.
 */
public final class ExpectedMetricsFile {

  public static final String NAME = "expected-metrics.json";

  private ExpectedMetricsFile() {}

  public static void write(
      Path file,
      SimulationPlan plan,
      TrafficSimulator.Summary summary,
      ExpectedMetrics.Result result,
      Set<WindowSize> windows)
      throws IOException {
    write(
        file,
        plan,
        summary,
        result,
        windows,
        dev.routemetrics.simulator.traffic.Elasticities.DEFAULT);
  }

  /**
   * With the channels' true latency and price elasticities ({@code true_elasticities}; a channel
   * not listed has none), what routemetrics' substitution view should estimate.
   */
  public static void write(
      Path file,
      SimulationPlan plan,
      TrafficSimulator.Summary summary,
      ExpectedMetrics.Result result,
      Set<WindowSize> windows,
      Map<String, dev.routemetrics.simulator.traffic.Elasticities> elasticities)
      throws IOException {
    try (OutputStream stream = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
        JsonGenerator out = new JsonFactory().createGenerator(stream).useDefaultPrettyPrinter()) {
      out.writeStartObject();
      out.writeStringField(
          "about",
          "Expected metrics computed independently of the pipeline from the distinct, accepted,"
              + " not-too-late events, as docs/domain.md defines them; see simulator/README.md for"
              + " the choices docs/domain.md leaves open.");
      out.writeObjectFieldStart("simulation");
      out.writeStringField("start", plan.start().toString());
      out.writeStringField("end", plan.end().toString());
      out.writeNumberField("seed", plan.seed());
      out.writeNumberField("target_events", plan.targetEvents());
      out.writeNumberField("delivered_records", summary.delivered());
      out.writeObjectFieldStart("accepted_events");
      for (Family family : Family.values()) {
        out.writeNumberField(family.name(), summary.acceptedEvents().getOrDefault(family, 0L));
      }
      out.writeEndObject();
      out.writeObjectFieldStart("deliveries");
      for (Injection injection : Injection.values()) {
        out.writeNumberField(injection.name(), summary.deliveries().getOrDefault(injection, 0L));
      }
      out.writeEndObject();
      out.writeObjectFieldStart("true_elasticities");
      for (Map.Entry<String, dev.routemetrics.simulator.traffic.Elasticities> e :
          new java.util.TreeMap<>(elasticities).entrySet()) {
        out.writeObjectFieldStart(e.getKey());
        out.writeNumberField("latency_elasticity", e.getValue().latency());
        out.writeNumberField("price_elasticity", e.getValue().price());
        out.writeEndObject();
      }
      out.writeEndObject();
      out.writeObjectFieldStart("statement_skew_percent");
      for (Map.Entry<String, BigDecimal> skew : plan.statementSkewPercent().entrySet()) {
        out.writeStringField(skew.getKey(), skew.getValue().toPlainString());
      }
      out.writeEndObject();
      out.writeEndObject();

      out.writeArrayFieldStart("rows");
      for (MetricsRow row : result.rows()) {
        if (windows.contains(row.window())) {
          row(out, row);
        }
      }
      out.writeEndArray();

      out.writeArrayFieldStart("windows");
      for (WindowSummary w : result.windows()) {
        if (windows.contains(w.window())) {
          out.writeStartObject();
          out.writeStringField("window", w.window().name());
          out.writeStringField("window_start", w.windowStart().toString());
          out.writeNumberField("requests", w.requests());
          ratio(out, "direct_trainable_rate", w.directTrainableRate());
          ratio(out, "partner_concentration", w.partnerConcentration());
          ids(out, "volume_without_control", w.volumeWithoutControl());
          out.writeEndObject();
        }
      }
      out.writeEndArray();

      out.writeArrayFieldStart("reconciliation");
      for (StatementReconciliation r : result.reconciliations()) {
        reconciliation(out, r);
      }
      out.writeEndArray();

      out.writeObjectFieldStart("set_aside");
      ids(out, "conflicts", summary.conflictIds());
      ids(out, "too_late", summary.tooLateIds());
      ids(out, "malformed", summary.malformedIds());
      out.writeEndObject();
      out.writeEndObject();
    }
  }

  private static void row(JsonGenerator out, MetricsRow r) throws IOException {
    out.writeStartObject();
    out.writeStringField("window", r.window().name());
    out.writeStringField("window_start", r.windowStart().toString());
    out.writeStringField("channel_id", r.channelId());
    out.writeStringField("route", r.route());
    out.writeNumberField("registry_version", r.registryVersion());
    out.writeNumberField("usage_events", r.usageEvents());
    out.writeNumberField("requests", r.requests());
    out.writeNumberField("input_tokens", r.inputTokens());
    out.writeNumberField("output_tokens", r.outputTokens());
    out.writeNumberField("active_accounts", r.activeAccounts());
    out.writeNumberField("visible_end_users", r.visibleEndUsers());
    ratio(out, "request_share", r.requestShare());
    ratio(out, "identity_visibility", r.identityVisibility());
    ratio(out, "error_rate", r.errorRate());
    out.writeArrayFieldStart("revenue");
    for (MetricsRow.Revenue m : r.revenue()) {
      out.writeStartObject();
      out.writeStringField("currency", m.currency());
      out.writeStringField("gross", m.gross().toPlainString());
      out.writeStringField("partner_fee", m.partnerFee().toPlainString());
      out.writeStringField("net", m.net().toPlainString());
      out.writeStringField("net_billed_by_lab", m.netBilledByLab().toPlainString());
      ratio(out, "capture_rate", m.captureRate());
      ratio(out, "billing_ownership", m.billingOwnership());
      out.writeEndObject();
    }
    out.writeEndArray();
    ratio(out, "capture_rate", r.captureRate());
    ratio(out, "billing_ownership", r.billingOwnership());
    out.writeNumberField("control_points_owned", r.controlPointsOwned());
    ratio(out, "control_score", r.controlScore());
    out.writeNumberField("feedback_events", r.feedbackEvents());
    out.writeNumberField("trainable_feedback", r.trainableFeedback());
    out.writeNumberField("covered_requests", r.coveredRequests());
    out.writeNumberField("feedback_received", r.feedbackReceived());
    out.writeNumberField("trainable_received", r.trainableReceived());
    ratio(out, "feedback_coverage", r.feedbackCoverage());
    ratio(out, "trainable_rate", r.trainableRate());
    ratio(out, "telemetry_full_share", r.telemetryFullShare());
    ratio(out, "learning_loss", r.learningLoss());
    ratio(out, "lost_signals", r.lostSignals());
    out.writeEndObject();
  }

  private static void reconciliation(JsonGenerator out, StatementReconciliation r)
      throws IOException {
    out.writeStartObject();
    out.writeStringField("billing_id", r.billingId());
    out.writeStringField("channel_id", r.channelId());
    out.writeStringField("partner_id", r.partnerId());
    out.writeStringField("period_start", r.periodStart().toString());
    out.writeStringField("period_end", r.periodEnd().toString());
    out.writeStringField("currency", r.currency());
    if (r.reportedRequests() == null) {
      out.writeNullField("reported_requests");
    } else {
      out.writeNumberField("reported_requests", r.reportedRequests());
    }
    out.writeNumberField("metered_requests", r.meteredRequests());
    ratio(out, "request_discrepancy_percent", r.requestDiscrepancyPercent());
    out.writeStringField("statement_net", r.statementNet().toPlainString());
    out.writeStringField("metered_net", r.meteredNet().toPlainString());
    ratio(out, "net_discrepancy_percent", r.netDiscrepancyPercent());
    out.writeEndObject();
  }

  private static void ratio(JsonGenerator out, String name, Double value) throws IOException {
    if (value == null) {
      out.writeNullField(name);
    } else {
      out.writeNumberField(name, value);
    }
  }

  private static void ids(JsonGenerator out, String name, List<String> ids) throws IOException {
    out.writeArrayFieldStart(name);
    for (String id : ids) {
      out.writeString(id);
    }
    out.writeEndArray();
  }
}
