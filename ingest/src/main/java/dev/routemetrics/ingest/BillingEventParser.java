package dev.routemetrics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routemetrics.events.BilledBy;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.BillingKind;
import dev.routemetrics.schemas.EventBounds;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Turns one JSON billing event into the Avro record, or says every field that is wrong with it.
 * Amounts are signed as they move revenue: a CHARGE or PARTNER_STATEMENT is never negative, a
 * REFUND or CREDIT never positive.
 */
public final class BillingEventParser {

  private final Envelope.Rules envelope;

  public BillingEventParser(ChannelRegistry registry, Clock clock, Duration maxFutureSkew) {
    this.envelope = new Envelope.Rules(registry, clock, maxFutureSkew);
  }

  public BillingEvent parse(JsonNode json) {
    FieldReader in = envelope.open(json);
    Envelope e = envelope.read(in);
    String billingId = in.requiredId("billing_id");
    BillingKind kind = in.enumValue("kind", BillingKind.class, null);
    BilledBy billedBy = in.enumValue("billed_by", BilledBy.class, null);
    String currency = in.currency("currency");
    BigDecimal gross = in.money("gross_amount", false);
    BigDecimal fee = in.money("partner_fee", true);
    BigDecimal net = in.money("net_amount", true);
    Instant periodStart = envelope.periodInstant(in, "period_start");
    Instant periodEnd = envelope.periodInstant(in, "period_end");
    Long reported =
        in.optionalInteger("reported_request_count", 0, EventBounds.MAX_REPORTED_REQUEST_COUNT);
    if (kind != null) {
      boolean credit = kind == BillingKind.REFUND || kind == BillingKind.CREDIT;
      checkSign(in, "gross_amount", gross, credit, kind);
      checkSign(in, "partner_fee", fee, credit, kind);
      checkSign(in, "net_amount", net, credit, kind);
      // Signs agree by now (or were refused), so magnitudes compare: a fee never exceeds the gross
      // it is taken from.
      if (gross != null
          && fee != null
          && fee.signum() * gross.signum() >= 0
          && fee.abs().compareTo(gross.abs()) > 0) {
        in.reject(
            "partner_fee",
            "must not exceed gross_amount in magnitude ("
                + fee.toPlainString()
                + " is more than "
                + gross.toPlainString()
                + ")");
      }
      if (kind != BillingKind.PARTNER_STATEMENT && reported != null) {
        in.reject("reported_request_count", "is only for PARTNER_STATEMENT events");
      }
    }
    if (periodStart != null && periodEnd != null && !periodStart.isBefore(periodEnd)) {
      in.reject(
          "period_end",
          "must be after period_start (" + periodEnd + " is not after " + periodStart + ")");
    }
    if (!in.errors().isEmpty()) {
      throw new InvalidEventException(in.errors());
    }
    return BillingEvent.newBuilder()
        .setEventId(e.eventId())
        .setEventTime(e.eventTime())
        .setChannelId(e.channelId())
        .setAccountId(e.accountId())
        .setEndUserRef(e.endUserRef())
        .setModelId(e.modelId())
        .setBillingId(billingId)
        .setKind(kind)
        .setBilledBy(billedBy)
        .setCurrency(currency)
        .setGrossAmount(gross)
        .setPartnerFee(fee)
        .setNetAmount(net)
        .setPeriodStart(periodStart)
        .setPeriodEnd(periodEnd)
        .setReportedRequestCount(reported)
        .build();
  }

  private static void checkSign(
      FieldReader in, String field, BigDecimal amount, boolean credit, BillingKind kind) {
    if (amount == null) {
      return;
    }
    if (credit && amount.signum() > 0) {
      in.reject(
          field,
          "must be <= 0 for a "
              + kind
              + " (refunds and credits take money back), was "
              + amount.toPlainString());
    } else if (!credit && amount.signum() < 0) {
      in.reject(field, "must be >= 0 for a " + kind + ", was " + amount.toPlainString());
    }
  }
}
