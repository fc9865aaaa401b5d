package dev.routemetrics.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class BillingAndFeedbackParserTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);
  private final BillingEventParser billing =
      new BillingEventParser(ChannelRegistry.builtIn(), CLOCK, Duration.ofMinutes(5));
  private final FeedbackEventParser feedback =
      new FeedbackEventParser(ChannelRegistry.builtIn(), CLOCK, Duration.ofMinutes(5));

  static ObjectNode charge() throws Exception {
    return (ObjectNode)
        JSON.readTree(
            """
            {"event_id": "b-1", "event_time": "2026-11-25T11:00:00Z", "channel_id": "cloud-nimbus", "account_id": "nimbus-cloud",
             "end_user_ref": null, "model_id": "*", "billing_id": "inv-1", "kind": "CHARGE", "billed_by": "PARTNER",
             "currency": "USD", "gross_amount": "100.0000", "partner_fee": "20.0000", "net_amount": "80.0000",
             "period_start": "2026-11-25T10:00:00Z", "period_end": "2026-11-25T11:00:00Z"}\
            """);
  }

  static ObjectNode rating() throws Exception {
    return (ObjectNode)
        JSON.readTree(
            """
            {"event_id": "f-1", "event_time": "2026-11-25T11:00:00Z", "channel_id": "consumer-app", "account_id": "a",
             "end_user_ref": "u-9", "model_id": "m", "feedback_id": "fb-1", "request_id": "req-1", "kind": "RATING",
             "score": 4, "trainable": true, "source": "END_USER"}\
            """);
  }

  private List<FieldError> billingErrors(ObjectNode json) {
    return catchThrowableOfType(InvalidEventException.class, () -> billing.parse(json)).errors();
  }

  @Test
  void shouldKeepMoneyExact() throws Exception {
    BillingEvent event =
        billing.parse(charge().put("net_amount", "79.9999").put("partner_fee", "20.0001"));
    assertThat(event.getNetAmount()).isEqualByComparingTo("79.9999");
    assertThat(event.getGrossAmount()).isEqualByComparingTo("100");
    assertThat(event.getReportedRequestCount()).isNull();
  }

  @Test
  void shouldRefuseMoneyThatIsNotAnExactDecimal() throws Exception {
    assertThat(billingErrors(charge().put("net_amount", 80.5)))
        .containsExactly(
            new FieldError(
                "net_amount",
                "must be a decimal string such as \"12.5000\" (a fractional JSON number may have"
                    + " lost precision)"));
    assertThat(billingErrors(charge().put("net_amount", "80.00001")))
        .containsExactly(new FieldError("net_amount", "has more than 4 decimal places: 80.00001"));
    assertThat(billingErrors(charge().put("net_amount", "eighty")))
        .containsExactly(
            new FieldError(
                "net_amount",
                "must be a decimal string such as \"12.5000\" (digits, an optional leading '-', no"
                    + " exponent or spaces), was 'eighty'"));
  }

  @Test
  void shouldTakeMoneyOnlyAsTheOpenApiPatternWritesIt() throws Exception {
    // ^-?[0-9]{1,9}(\.[0-9]{1,4})?$ : BigDecimal would read every one of these, the pattern none.
    for (String text :
        List.of("1E+3", "1e3", " 5.00 ", "5.00 ", "+5", ".5", "5.", "1_000", "0x10", "٣")) {
      assertThat(billingErrors(charge().put("gross_amount", "100").put("net_amount", text)))
          .as("net_amount '%s'", text)
          .extracting(FieldError::field)
          .containsExactly("net_amount");
    }
    assertThat(billingErrors(charge().put("net_amount", "80.00000")))
        .containsExactly(new FieldError("net_amount", "has more than 4 decimal places: 80.00000"));
    assertThat(billingErrors(charge().put("net_amount", "0000000080")))
        .containsExactly(
            new FieldError(
                "net_amount",
                "must match -?[0-9]{1,9}(\\.[0-9]{1,4})? (at most 9 digits before the point), was"
                    + " '0000000080'"));
    assertThat(billing.parse(charge().put("net_amount", "000000080.0000")).getNetAmount())
        .isEqualByComparingTo("80");
  }

  @Test
  void shouldRefuseTheFindingsLargestAmountThatOverflowedAWindowSum() throws Exception {
    ObjectNode json =
        charge()
            .put("gross_amount", "99999999999999.9999")
            .put("net_amount", "99999999999999.9999");
    assertThat(billingErrors(json))
        .containsExactly(
            new FieldError(
                "gross_amount",
                "must be between -999999999.9999 and 999999999.9999, was 99999999999999.9999"),
            new FieldError(
                "net_amount",
                "must be between -999999999.9999 and 999999999.9999, was 99999999999999.9999"));
    // 100,000 events of the largest allowed amount: 99,999,999,999,990.0000, 14 digits before the
    // point, as decimal(18, 4) holds.
    BigDecimal sum = new BigDecimal("999999999.9999").multiply(BigDecimal.valueOf(100_000));
    assertThat(sum).isEqualByComparingTo("99999999999990");
    assertThat(sum.precision() - sum.scale()).isEqualTo(14);
  }

  @Test
  void shouldRefuseAPartnerFeeAboveTheGross() throws Exception {
    assertThat(billingErrors(charge().put("partner_fee", "100.0001").put("net_amount", "0")))
        .containsExactly(
            new FieldError(
                "partner_fee",
                "must not exceed gross_amount in magnitude (100.0001 is more than 100.0000)"));
    ObjectNode refund =
        charge()
            .put("kind", "REFUND")
            .put("gross_amount", "-10")
            .put("partner_fee", "-11")
            .put("net_amount", "1");
    assertThat(billingErrors(refund.put("net_amount", "-0")))
        .containsExactly(
            new FieldError(
                "partner_fee",
                "must not exceed gross_amount in magnitude (-11.0000 is more than -10.0000)"));
    ObjectNode unknownGross = charge().put("partner_fee", "500").put("net_amount", "10");
    unknownGross.remove("gross_amount");
    assertThat(billing.parse(unknownGross).getPartnerFee()).isEqualByComparingTo("500");
    assertThat(
            billing
                .parse(charge().put("partner_fee", "100").put("net_amount", "0"))
                .getPartnerFee())
        .isEqualByComparingTo("100");
  }

  @Test
  void shouldTakeOnlyActiveIso4217CodesMoneyIsPaidIn() throws Exception {
    for (String code :
        List.of(
            "XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XBA", "XBD", "XDR", "XSU", "XUA", "DEM",
            "ZWD", "FRF", "CHE", "USN")) {
      assertThat(billingErrors(charge().put("currency", code)))
          .as(code)
          .containsExactly(
              new FieldError(
                  "currency",
                  "must be an active ISO 4217 currency code such as USD or EUR (not a fund, metal,"
                      + " test or withdrawn code), was '"
                      + code
                      + "'"));
    }
    for (String code : List.of("USD", "EUR", "JPY", "GBP", "CHF", "BHD", "XOF", "VES")) {
      assertThat(billing.parse(charge().put("currency", code)).getCurrency()).isEqualTo(code);
    }
  }

  @Test
  void shouldRefuseATimeThatWouldOverflowOrThatThePipelineCannotStore() throws Exception {
    assertThat(billingErrors(charge().put("period_start", "-1000000000-01-01T00:00:00Z")))
        .containsExactly(
            new FieldError(
                "period_start",
                "must not be before 2000-01-01T00:00:00Z (the earliest time the pipeline stores),"
                    + " was -1000000000-01-01T00:00:00Z"));
    assertThat(billingErrors(charge().put("period_end", "2106-01-01T00:00:00Z")))
        .containsExactly(
            new FieldError(
                "period_end",
                "is in the future (2106-01-01T00:00:00Z is more than 86400 s ahead of the server"
                    + " clock)"));
  }

  @Test
  void shouldTakeAScoreFrom1To5() throws Exception {
    InvalidEventException e =
        catchThrowableOfType(
            InvalidEventException.class, () -> feedback.parse(rating().put("score", 6)));
    assertThat(e.errors()).containsExactly(new FieldError("score", "must be <= 5, was 6"));
    assertThat(feedback.parse(rating().put("score", 5)).getScore()).isEqualTo(5);
  }

  @Test
  void shouldCheckTheSignOfAmountsByKind() throws Exception {
    assertThat(billingErrors(charge().put("net_amount", "-1")))
        .containsExactly(new FieldError("net_amount", "must be >= 0 for a CHARGE, was -1.0000"));
    ObjectNode refund =
        charge()
            .put("kind", "REFUND")
            .put("gross_amount", "-10")
            .put("partner_fee", "0")
            .put("net_amount", "10");
    assertThat(billingErrors(refund))
        .containsExactly(
            new FieldError(
                "net_amount",
                "must be <= 0 for a REFUND (refunds and credits take money back), was 10.0000"));
  }

  @Test
  void shouldRefuseAnUnknownCurrencyAndAnEmptyPeriod() throws Exception {
    ObjectNode json = charge().put("currency", "usd").put("period_end", "2026-11-25T10:00:00Z");
    assertThat(billingErrors(json))
        .containsExactly(
            new FieldError(
                "currency",
                "must be an active ISO 4217 currency code such as USD or EUR (not a fund, metal,"
                    + " test or withdrawn code), was 'usd'"),
            new FieldError(
                "period_end",
                "must be after period_start (2026-11-25T10:00:00Z is not after"
                    + " 2026-11-25T10:00:00Z)"));
    assertThat(billingErrors(charge().put("currency", "XYZ")))
        .extracting(FieldError::field)
        .containsExactly("currency");
  }

  @Test
  void shouldTakeAReportedRequestCountOnlyOnAPartnerStatement() throws Exception {
    assertThat(billingErrors(charge().put("reported_request_count", 10)))
        .containsExactly(
            new FieldError("reported_request_count", "is only for PARTNER_STATEMENT events"));
    BillingEvent statement =
        billing.parse(
            charge().put("kind", "PARTNER_STATEMENT").put("reported_request_count", 1030));
    assertThat(statement.getReportedRequestCount()).isEqualTo(1030L);
  }

  @Test
  void shouldRefuseTheUnknownSymbolThatOnlyReadersUse() throws Exception {
    assertThat(billingErrors(charge().put("kind", "UNKNOWN")))
        .containsExactly(
            new FieldError(
                "kind",
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
    InvalidEventException e =
        catchThrowableOfType(
            InvalidEventException.class, () -> feedback.parse(rating().put("trainable", "yes")));
    assertThat(e.errors()).containsExactly(new FieldError("trainable", "must be true or false"));
  }
}
