package dev.routemetrics.simulator.expected;

import dev.routemetrics.events.BilledBy;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.BillingKind;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.FeedbackKind;
import dev.routemetrics.events.FeedbackSource;
import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.events.UsageEvent;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Terse event constructors for hand-computed scenarios. */
final class Events {

  private static int ids;

  private Events() {}

  static UsageEvent usage(
      String channel,
      String time,
      String account,
      String endUser,
      String requestId,
      int count,
      long in,
      long out,
      Outcome outcome,
      TelemetryLevel telemetry) {
    return new UsageEvent(
        "u" + ids++,
        Instant.parse(time),
        channel,
        account,
        endUser,
        "m",
        requestId,
        count,
        in,
        out,
        500,
        outcome,
        telemetry);
  }

  static UsageEvent request(String channel, String time, String requestId) {
    return usage(
        channel, time, "acct", null, requestId, 1, 1, 1, Outcome.SUCCESS, TelemetryLevel.METADATA);
  }

  static FeedbackEvent feedback(String channel, String time, String requestId, boolean trainable) {
    return new FeedbackEvent(
        "f" + ids++,
        Instant.parse(time),
        channel,
        "acct",
        null,
        "m",
        "fb" + ids,
        requestId,
        FeedbackKind.THUMBS_UP,
        null,
        trainable,
        FeedbackSource.END_USER);
  }

  static BillingEvent money(
      String channel,
      String time,
      BillingKind kind,
      BilledBy by,
      String gross,
      String fee,
      String net) {
    return new BillingEvent(
        "b" + ids++,
        Instant.parse(time),
        channel,
        "acct",
        null,
        "*",
        "bill" + ids,
        kind,
        by,
        "USD",
        gross == null ? null : new BigDecimal(gross),
        new BigDecimal(fee),
        new BigDecimal(net),
        // The period is the hour the money is billed in.
        Instant.parse(time).truncatedTo(ChronoUnit.HOURS),
        Instant.parse(time).truncatedTo(ChronoUnit.HOURS).plusSeconds(3600),
        null);
  }

  static BillingEvent statement(
      String channel, String from, String to, long reportedRequests, String net) {
    return new BillingEvent(
        "s" + ids++,
        Instant.parse(to),
        channel,
        "partner",
        null,
        "*",
        "stmt" + ids,
        BillingKind.PARTNER_STATEMENT,
        BilledBy.PARTNER,
        "USD",
        null,
        BigDecimal.ZERO,
        new BigDecimal(net),
        Instant.parse(from),
        Instant.parse(to),
        reportedRequests);
  }
}
