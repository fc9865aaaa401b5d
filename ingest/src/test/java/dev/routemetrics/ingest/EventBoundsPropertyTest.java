package dev.routemetrics.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every bound of EventBounds, probed at its edge and just beyond it (and far beyond, up to the
 * largest numbers JSON can write), through the parsers the edge and the loader use. The limits are
 * written out here as numbers, not read from EventBounds, so a changed constant fails this test.
 */
class EventBoundsPropertyTest {

  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private final UsageEventParser usage =
      new UsageEventParser(ChannelRegistry.builtIn(), CLOCK, Duration.ofMinutes(5));
  private final BillingEventParser billing =
      new BillingEventParser(ChannelRegistry.builtIn(), CLOCK, Duration.ofMinutes(5));
  private final FeedbackEventParser feedback =
      new FeedbackEventParser(ChannelRegistry.builtIn(), CLOCK, Duration.ofMinutes(5));

  /** One integer field: where it lives, its range as the OpenAPI document states it. */
  record IntegerBound(String family, String field, long min, long max) {}

  private static final List<IntegerBound> INTEGERS =
      List.of(
          new IntegerBound("usage", "input_tokens", 0, 1_000_000_000L),
          new IntegerBound("usage", "output_tokens", 0, 1_000_000_000L),
          new IntegerBound("usage", "request_count", 1, 1_000_000L),
          new IntegerBound("usage", "latency_ms", 0, 3_600_000L), // one hour in milliseconds
          new IntegerBound("billing", "reported_request_count", 0, 1_000_000_000_000L),
          new IntegerBound("feedback", "score", 1, 5));

  @Provide
  Arbitrary<IntegerBound> integerBounds() {
    return Arbitraries.of(INTEGERS);
  }

  /**
   * At an edge, a step or two either side of it, or anywhere in the whole range of JSON integers.
   */
  @Provide
  Arbitrary<BigInteger> offsets() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.longs().between(-2, 2).map(BigInteger::valueOf)),
        net.jqwik.api.Tuple.of(
            1,
            Arbitraries.bigIntegers()
                .between(BigInteger.TWO.pow(70).negate(), BigInteger.TWO.pow(70))));
  }

  @Property(tries = 2_000)
  void shouldTakeAnIntegerExactlyWhenItIsWithinItsBound(
      @ForAll("integerBounds") IntegerBound bound,
      @ForAll("offsets") BigInteger offset,
      @ForAll boolean nearMax) {
    BigInteger value = BigInteger.valueOf(nearMax ? bound.max() : bound.min()).add(offset);
    boolean within =
        value.compareTo(BigInteger.valueOf(bound.min())) >= 0
            && value.compareTo(BigInteger.valueOf(bound.max())) <= 0;
    ObjectNode event = valid(bound.family());
    event.put(bound.field(), value);
    if (bound.field().equals("reported_request_count")) {
      event.put("kind", "PARTNER_STATEMENT");
    }

    List<FieldError> errors = errors(bound.family(), event);

    if (within) {
      assertThat(errors).as("%s = %s", bound.field(), value).isEmpty();
    } else {
      String limit =
          value.compareTo(BigInteger.valueOf(bound.min())) < 0
              ? "must be >= " + bound.min()
              : "must be <= " + bound.max();
      assertThat(errors)
          .as("%s = %s", bound.field(), value)
          .containsExactly(new FieldError(bound.field(), limit + ", was " + value));
    }
  }

  /** Money: 999,999,999.9999 is the largest magnitude (9 digits before the point, 4 after). */
  @Provide
  Arbitrary<BigDecimal> amounts() {
    BigDecimal max = new BigDecimal("999999999.9999");
    Arbitrary<BigDecimal> nearEdge =
        Arbitraries.longs()
            .between(-3, 3)
            .map(k -> max.add(new BigDecimal("0.0001").multiply(BigDecimal.valueOf(k))));
    Arbitrary<BigDecimal> anywhere =
        Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("1e16")).ofScale(4);
    Arbitrary<BigDecimal> tooPrecise =
        Arbitraries.bigDecimals()
            .between(BigDecimal.ZERO, max)
            .ofScale(5)
            .filter(d -> d.stripTrailingZeros().scale() == 5);
    return Arbitraries.oneOf(nearEdge, anywhere, tooPrecise);
  }

  @Property(tries = 1_500)
  void shouldTakeAnAmountExactlyWhenItIsWithinTheMoneyBound(
      @ForAll("amounts") BigDecimal magnitude,
      @ForAll boolean refund,
      @ForAll("moneyFields") String field) {
    BigDecimal amount = refund ? magnitude.negate() : magnitude;
    boolean within =
        magnitude.compareTo(new BigDecimal("999999999.9999")) <= 0 && magnitude.scale() <= 4;
    ObjectNode event = valid("billing").put("kind", refund ? "REFUND" : "CHARGE");
    // The other amounts stay consistent with this one (same sign; the fee never above the gross).
    for (String other : List.of("gross_amount", "partner_fee", "net_amount")) {
      event.put(other, other.equals("partner_fee") ? "0" : amount.toPlainString());
    }
    event.put("partner_fee", field.equals("partner_fee") ? amount.toPlainString() : "0");

    List<FieldError> errors = errors("billing", event);

    if (within) {
      assertThat(errors).as("%s = %s", field, amount.toPlainString()).isEmpty();
    } else if (magnitude.scale() > 4) {
      assertThat(errors)
          .as("%s = %s", field, amount.toPlainString())
          .contains(
              new FieldError(field, "has more than 4 decimal places: " + amount.toPlainString()));
    } else {
      assertThat(errors)
          .as("%s = %s", field, amount.toPlainString())
          .contains(
              new FieldError(
                  field,
                  "must be between -999999999.9999 and 999999999.9999, was "
                      + amount.toPlainString()));
    }
  }

  @Provide
  Arbitrary<String> moneyFields() {
    return Arbitraries.of("gross_amount", "partner_fee", "net_amount");
  }

  /**
   * A time field and the latest instant it may take with the test's clock at 2026-11-25T12:00:00Z.
   */
  record TimeBound(String family, String field, Instant latest) {}

  @Provide
  Arbitrary<TimeBound> timeBounds() {
    return Arbitraries.of(
        new TimeBound(
            "usage",
            "event_time",
            Instant.parse("2026-11-25T12:05:00Z")), // the configured 5 minutes
        new TimeBound("feedback", "event_time", Instant.parse("2026-11-25T12:05:00Z")),
        new TimeBound("billing", "period_start", Instant.parse("2026-11-26T12:00:00Z")), // one day
        new TimeBound("billing", "period_end", Instant.parse("2026-11-26T12:00:00Z")));
  }

  @Provide
  Arbitrary<Long> millisAround() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.longs().between(-2, 2)),
        net.jqwik.api.Tuple.of(
            1, Arbitraries.longs().between(-400L * 365 * 86_400_000, 400L * 365 * 86_400_000)));
  }

  @Property(tries = 1_500)
  void shouldTakeATimeExactlyWhenItIsBetween2000AndTheAllowedSkew(
      @ForAll("timeBounds") TimeBound bound,
      @ForAll("millisAround") long millis,
      @ForAll boolean nearLatest) {
    Instant earliest = Instant.parse("2000-01-01T00:00:00Z");
    Instant time = (nearLatest ? bound.latest() : earliest).plusMillis(millis);
    boolean within = !time.isBefore(earliest) && !time.isAfter(bound.latest());
    ObjectNode event = valid(bound.family()).put(bound.field(), time.toString());
    if (bound.field().equals("period_start")) {
      event.put("period_end", bound.latest().toString());
    } else if (bound.field().equals("period_end")) {
      event.put("period_start", earliest.toString());
    }

    List<FieldError> errors = errors(bound.family(), event);

    if (within) {
      assertThat(errors)
          .as("%s = %s", bound.field(), time)
          .allSatisfy(
              e ->
                  assertThat(e.field())
                      .as("only the period order may complain")
                      .isEqualTo("period_end"));
    } else if (time.isBefore(earliest)) {
      assertThat(errors)
          .as("%s = %s", bound.field(), time)
          .contains(
              new FieldError(
                  bound.field(),
                  "must not be before 2000-01-01T00:00:00Z (the earliest time the pipeline stores),"
                      + " was "
                      + time));
    } else {
      long skewSeconds = Duration.between(NOW, bound.latest()).toSeconds();
      assertThat(errors)
          .as("%s = %s", bound.field(), time)
          .contains(
              new FieldError(
                  bound.field(),
                  "is in the future ("
                      + time
                      + " is more than "
                      + skewSeconds
                      + " s ahead of the server clock)"));
    }
  }

  /**
   * The finding: a year this far back passed, then overflowed in toEpochMilli (500, permits
   * leaked).
   */
  @Property(tries = 200)
  void shouldRefuseAnyYearOutsideTheStorableRangeWithoutOverflowing(
      @ForAll("hugeYears") String time, @ForAll("families") String family) {
    List<FieldError> errors = errors(family, valid(family).put("event_time", time));
    assertThat(errors).extracting(FieldError::field).contains("event_time");
  }

  @Provide
  Arbitrary<String> hugeYears() {
    return Arbitraries.oneOf(
        Arbitraries.longs()
            .between(-1_000_000_000L, 1999)
            .map(y -> String.format("%s%04d-01-01T00:00:00Z", y < 0 ? "-" : "", Math.abs(y))),
        Arbitraries.longs()
            .between(2028, 1_000_000_000L)
            .map(y -> String.format("%s%d-01-01T00:00:00Z", y > 9999 ? "+" : "", y)));
  }

  @Provide
  Arbitrary<String> families() {
    return Arbitraries.of("usage", "billing", "feedback");
  }

  private List<FieldError> errors(String family, JsonNode event) {
    Function<JsonNode, Object> parser =
        switch (family) {
          case "usage" -> usage::parse;
          case "billing" -> billing::parse;
          default -> feedback::parse;
        };
    try {
      assertThat(parser.apply(event)).isNotNull();
      return List.of();
    } catch (InvalidEventException e) {
      return e.errors();
    }
  }

  static ObjectNode valid(String family) {
    try {
      return switch (family) {
        case "usage" -> UsageEventParserTest.valid();
        case "billing" -> BillingAndFeedbackParserTest.charge();
        default -> BillingAndFeedbackParserTest.rating();
      };
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Property(tries = 1)
  void shouldAcceptEachFamilysBaseEvent(@ForAll("families") String family) {
    assertThat(errors(family, valid(family))).isEmpty();
  }
}
