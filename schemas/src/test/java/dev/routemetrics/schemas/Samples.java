package dev.routemetrics.schemas;

import dev.routemetrics.events.BilledBy;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.BillingKind;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.FeedbackKind;
import dev.routemetrics.events.FeedbackSource;
import java.math.BigDecimal;
import java.time.Instant;

/** Small events of the families without a sample elsewhere. */
final class Samples {

  private Samples() {}

  /** A cloud partner's hourly charge: the partner billed 12.50 USD and kept its 20%. */
  static BillingEvent partnerCharge() {
    return BillingEvent.newBuilder()
        .setEventId("bil-1")
        .setEventTime(Instant.parse("2026-11-01T11:00:00Z"))
        .setChannelId("cloud-nimbus")
        .setAccountId("nimbus-cloud")
        .setEndUserRef(null)
        .setModelId("*")
        .setBillingId("nimbus-inv-1")
        .setKind(BillingKind.CHARGE)
        .setBilledBy(BilledBy.PARTNER)
        .setCurrency("USD")
        .setGrossAmount(new BigDecimal("12.5000"))
        .setPartnerFee(new BigDecimal("2.5000"))
        .setNetAmount(new BigDecimal("10.0000"))
        .setPeriodStart(Instant.parse("2026-11-01T10:00:00Z"))
        .setPeriodEnd(Instant.parse("2026-11-01T11:00:00Z"))
        .setReportedRequestCount(null)
        .build();
  }

  static FeedbackEvent thumbsUp() {
    return FeedbackEvent.newBuilder()
        .setEventId("fb-1")
        .setEventTime(Instant.parse("2026-11-01T10:20:00Z"))
        .setChannelId("consumer-app")
        .setAccountId("acct-7")
        .setEndUserRef("u-9")
        .setModelId("m-large")
        .setFeedbackId("f-1")
        .setRequestId("req-1")
        .setKind(FeedbackKind.RATING)
        .setScore(4)
        .setTrainable(true)
        .setSource(FeedbackSource.END_USER)
        .build();
  }
}
