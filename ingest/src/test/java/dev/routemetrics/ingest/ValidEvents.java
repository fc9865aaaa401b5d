package dev.routemetrics.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One valid event of each family, as a client sends it: the ingest accepts each unchanged
 * (HostileInputIT, EventContractTest), so a test that changes one field learns what that field's
 * rule says, and nothing else. Each call gets an event_id nobody else uses.
 */
final class ValidEvents {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ValidEvents() {}

  static ObjectNode of(String family, Instant now) {
    ObjectNode event =
        JSON.createObjectNode()
            .put("event_id", "valid-" + System.nanoTime())
            .put("event_time", now.minusSeconds(60).toString())
            .put("channel_id", "direct-api")
            .put("account_id", "acct-valid")
            .putNull("end_user_ref")
            .put("model_id", "frontier-fast");
    switch (family) {
      case "usage" ->
          event
              .put("request_id", "req-valid")
              .put("request_count", 1)
              .put("input_tokens", 120)
              .put("output_tokens", 80)
              .put("latency_ms", 950)
              .put("outcome", "SUCCESS")
              .put("telemetry", "FULL");
      case "billing" -> {
        Instant hour = now.truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
        event
            .put("billing_id", "inv-valid")
            .put("kind", "CHARGE")
            .put("billed_by", "LAB")
            .put("currency", "USD")
            .put("gross_amount", "12.5000")
            .put("partner_fee", "0.0000")
            .put("net_amount", "12.5000")
            .put("period_start", hour.toString())
            .put("period_end", hour.plus(Duration.ofHours(1)).toString());
      }
      case "feedback" ->
          event
              .put("feedback_id", "fb-valid")
              .put("request_id", "req-valid")
              .put("kind", "THUMBS_UP")
              .put("trainable", true)
              .put("source", "END_USER");
      default -> throw new IllegalArgumentException("no family " + family);
    }
    return event;
  }
}
