package dev.routemetrics.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class BillingAndFeedbackParserTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);
  private final BillingEventParser billing = new BillingEventParser(ChannelRegistry.builtIn(), CLOCK, Duration.ofMinutes(5));
  private final FeedbackEventParser feedback = new FeedbackEventParser(ChannelRegistry.builtIn(), CLOCK, Duration.ofMinutes(5));

  static ObjectNode charge() throws Exception {
    return (ObjectNode) JSON.readTree("""
        {"event_id": "b-1", "event_time": "2026-11-25T11:00:00Z", "channel_id": "cloud-nimbus", "account_id": "nimbus-cloud",
         "end_user_ref": null, "model_id": "*", "billing_id": "inv-1", "kind": "CHARGE", "billed_by": "PARTNER",
         "currency": "USD", "gross_amount": "100.0000", "partner_fee": "20.0000", "net_amount": "80.0000",
         "period_start": "2026-11-25T10:00:00Z", "period_end": "2026-11-25T11:00:00Z"}""");
  }

  static ObjectNode rating() throws Exception {
    return (ObjectNode) JSON.readTree("""
        {"event_id": "f-1", "event_time": "2026-11-25T11:00:00Z", "channel_id": "consumer-app", "account_id": "a",
         "end_user_ref": "u-9", "model_id": "m", "feedback_id": "fb-1", "request_id": "req-1", "kind": "RATING",
         "score": 4, "trainable": true, "source": "END_USER"}""");
  }

  private List<FieldError> billingErrors(ObjectNode json) {
    return catchThrowableOfType(InvalidEventException.class, () -> billing.parse(json)).errors();
  }

  @Test
  void shouldKeepMoneyExact() throws Exception {
    BillingEvent event = billing.parse(charge().put("net_amount", "79.9999").put("partner_fee", "20.0001"));
    assertThat(event.getNetAmount()).isEqualByComparingTo("79.9999");
    assertThat(event.getGrossAmount()).isEqualByComparingTo("100");
    assertThat(event.getReportedRequestCount()).isNull();
  }

  @Test
  void shouldRefuseMoneyThatIsNotAnExactDecimal() throws Exception {
    assertThat(billingErrors(charge().put("net_amount", 80.5))).containsExactly(new FieldError("net_amount",
        "must be a decimal string such as \"12.5000\" (a fractional JSON number may have lost precision)"));
    assertThat(billingErrors(charge().put("net_amount", "80.00001"))).containsExactly(new FieldError("net_amount",
        "has more than 4 decimal places: 80.00001"));
    assertThat(billingErrors(charge().put("net_amount", "eighty"))).containsExactly(new FieldError("net_amount",
        "must be a decimal string such as \"12.5000\", was 'eighty'"));
  }

  @Test
  void shouldCheckTheSignOfAmountsByKind() throws Exception {
    assertThat(billingErrors(charge().put("net_amount", "-1"))).containsExactly(
        new FieldError("net_amount", "must be >= 0 for a CHARGE, was -1.0000"));
    ObjectNode refund = charge().put("kind", "REFUND").put("gross_amount", "-10").put("partner_fee", "0").put("net_amount", "10");
    assertThat(billingErrors(refund)).containsExactly(new FieldError("net_amount",
        "must be <= 0 for a REFUND (refunds and credits take money back), was 10.0000"));
  }

  @Test
  void shouldRefuseAnUnknownCurrencyAndAnEmptyPeriod() throws Exception {
    ObjectNode json = charge().put("currency", "usd").put("period_end", "2026-11-25T10:00:00Z");
    assertThat(billingErrors(json)).containsExactly(
        new FieldError("currency", "must be an ISO 4217 currency code such as USD or EUR, was 'usd'"),
        new FieldError("period_end", "must be after period_start (2026-11-25T10:00:00Z is not after 2026-11-25T10:00:00Z)"));
    assertThat(billingErrors(charge().put("currency", "XYZ"))).extracting(FieldError::field).containsExactly("currency");
  }

  @Test
  void shouldTakeAReportedRequestCountOnlyOnAPartnerStatement() throws Exception {
    assertThat(billingErrors(charge().put("reported_request_count", 10))).containsExactly(
        new FieldError("reported_request_count", "is only for PARTNER_STATEMENT events"));
    BillingEvent statement = billing.parse(charge().put("kind", "PARTNER_STATEMENT").put("reported_request_count", 1030));
    assertThat(statement.getReportedRequestCount()).isEqualTo(1030L);
  }

  @Test
  void shouldRefuseTheUnknownSymbolThatOnlyReadersUse() throws Exception {
    assertThat(billingErrors(charge().put("kind", "UNKNOWN"))).containsExactly(new FieldError("kind",
        "must be one of [CHARGE, REFUND, CREDIT, PARTNER_STATEMENT], was 'UNKNOWN'"));
  }

  @Test
  void shouldReadFeedbackWithItsOptionalFields() throws Exception {
    FeedbackEvent event = feedback.parse(rating());
    assertThat(event.getScore()).isEqualTo(4);
    assertThat(event.getTrainable()).isTrue();

    ObjectNode partnerReport = rating().put("source", "PARTNER_REPORT").put("trainable", false);
    partnerReport.remove("score");
    partnerReport.putNull("request_id");
    FeedbackEvent filtered = feedback.parse(partnerReport);
    assertThat(filtered.getScore()).isNull();
    assertThat(filtered.getRequestId()).isNull();
  }

  @Test
  void shouldRequireTrainableAsABoolean() throws Exception {
    InvalidEventException e = catchThrowableOfType(InvalidEventException.class, () -> feedback.parse(rating().put("trainable", "yes")));
    assertThat(e.errors()).containsExactly(new FieldError("trainable", "must be true or false"));
  }
}
