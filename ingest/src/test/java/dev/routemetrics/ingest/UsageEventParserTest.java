package dev.routemetrics.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class UsageEventParserTest {

  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private final UsageEventParser parser =
      new UsageEventParser(
          ChannelRegistry.builtIn(), Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(5));

  static ObjectNode valid() throws Exception {
    return (ObjectNode)
        new ObjectMapper()
            .readTree(
                """
                {"event_id": "evt-1", "event_time": "2026-11-25T11:59:00Z", "channel_id": "cloud-nimbus",
                 "account_id": "nimbus-cloud", "end_user_ref": null, "model_id": "frontier-fast", "request_id": "req-1",
                 "request_count": 120, "input_tokens": 5000, "output_tokens": 900, "latency_ms": 800,
                 "outcome": "SUCCESS", "telemetry": "NONE"}\
                """);
  }

  private FieldError onlyError(ObjectNode json) {
    InvalidEventException e =
        catchThrowableOfType(InvalidEventException.class, () -> parser.parse(json));
    assertThat(e).as("the event should be rejected").isNotNull();
    assertThat(e.errors()).hasSize(1);
    return e.errors().get(0);
  }

  @Test
  void shouldTurnAValidEventIntoTheAvroRecord() throws Exception {
    UsageEvent event = parser.parse(valid());
    assertThat(event.getEventTime()).isEqualTo(Instant.parse("2026-11-25T11:59:00Z"));
    assertThat(event.getRequestCount()).isEqualTo(120);
    assertThat(event.getEndUserRef()).isNull();
  }

  @Test
  void shouldDefaultRequestCountToOne() throws Exception {
    ObjectNode json = valid();
    json.remove("request_count");
    assertThat(parser.parse(json).getRequestCount()).isEqualTo(1);
  }

  @Test
  void shouldNameEachBadField() throws Exception {
    ObjectNode json = valid();
    json.remove("account_id");
    json.put("output_tokens", -1);
    json.put("outcome", "MAYBE");
    InvalidEventException e =
        catchThrowableOfType(InvalidEventException.class, () -> parser.parse(json));
    assertThat(e.errors())
        .containsExactly(
            new FieldError("account_id", "is required"),
            new FieldError("output_tokens", "must be >= 0, was -1"),
            new FieldError(
                "outcome",
                "must be one of [SUCCESS, CLIENT_ERROR, SERVER_ERROR, RATE_LIMITED, FILTERED], was"
                    + " 'MAYBE'"));
  }

  @Test
  void shouldRejectAnUnknownChannel() throws Exception {
    assertThat(onlyError(valid().put("channel_id", "carrier-pigeon")))
        .isEqualTo(new FieldError("channel_id", "unknown channel 'carrier-pigeon'"));
  }

  @Test
  void shouldRejectAnEventTimeBeyondTheClockSkew() throws Exception {
    assertThat(onlyError(valid().put("event_time", "2026-11-25T12:06:00Z")))
        .isEqualTo(
            new FieldError(
                "event_time",
                "is in the future (2026-11-25T12:06:00Z is more than 300 s ahead of the server"
                    + " clock)"));
    assertThat(parser.parse(valid().put("event_time", "2026-11-25T12:04:59Z")).getEventId())
        .isEqualTo("evt-1");
  }

  @Test
  void shouldRejectATimestampThatIsNotIso8601() throws Exception {
    assertThat(onlyError(valid().put("event_time", "25/11/2026")))
        .isEqualTo(
            new FieldError(
                "event_time",
                "must be an ISO-8601 UTC timestamp such as 2026-11-01T10:15:30Z, was"
                    + " '25/11/2026'"));
  }

  @Test
  void shouldRejectAFractionalOrTextualCount() throws Exception {
    assertThat(onlyError(valid().put("request_count", 1.5)))
        .isEqualTo(new FieldError("request_count", "must be an integer"));
    assertThat(onlyError(valid().put("input_tokens", "12")))
        .isEqualTo(new FieldError("input_tokens", "must be an integer"));
    assertThat(onlyError(valid().put("request_count", 0)))
        .isEqualTo(new FieldError("request_count", "must be >= 1, was 0"));
  }

  @Test
  void shouldRefuseTheFindingsYearInsteadOfOverflowingLater() throws Exception {
    assertThat(onlyError(valid().put("event_time", "-1000000000-01-01T00:00:00Z")))
        .isEqualTo(
            new FieldError(
                "event_time",
                "must not be before 2000-01-01T00:00:00Z (the earliest time the pipeline stores),"
                    + " was -1000000000-01-01T00:00:00Z"));
    assertThat(onlyError(valid().put("event_time", "1969-12-31T23:59:59Z")))
        .isEqualTo(
            new FieldError(
                "event_time",
                "must not be before 2000-01-01T00:00:00Z (the earliest time the pipeline stores),"
                    + " was 1969-12-31T23:59:59Z"));
    assertThat(parser.parse(valid().put("event_time", "2000-01-01T00:00:00Z")).getEventTime())
        .isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
  }

  @Test
  void shouldRefuseTheFindingsCountsThatWrappedAWindowTotal() throws Exception {
    assertThat(onlyError(valid().put("input_tokens", Long.MAX_VALUE)))
        .isEqualTo(
            new FieldError("input_tokens", "must be <= 1000000000, was 9223372036854775807"));
    assertThat(onlyError(valid().put("request_count", Integer.MAX_VALUE)))
        .isEqualTo(new FieldError("request_count", "must be <= 1000000, was 2147483647"));
    assertThat(
            onlyError(
                valid().put("output_tokens", new java.math.BigInteger("100000000000000000000"))))
        .isEqualTo(
            new FieldError("output_tokens", "must be <= 1000000000, was 100000000000000000000"));
  }

  @Test
  void shouldRefuseControlCharactersAndLoneSurrogatesInIds() throws Exception {
    assertThat(onlyError(valid().put("event_id", "evt-\u0000")))
        .isEqualTo(
            new FieldError(
                "event_id", "must not contain control characters (U+0000 at position 4)"));
    assertThat(onlyError(valid().put("account_id", "a\nb")))
        .isEqualTo(
            new FieldError(
                "account_id", "must not contain control characters (U+000A at position 1)"));
    assertThat(onlyError(valid().put("request_id", "r-\uD800")))
        .isEqualTo(
            new FieldError(
                "request_id", "must be valid Unicode (a lone surrogate U+D800 at position 2)"));
    assertThat(onlyError(valid().put("model_id", "\uDC00m")))
        .isEqualTo(
            new FieldError(
                "model_id", "must be valid Unicode (a lone surrogate U+DC00 at position 0)"));
    // A pair is one character outside the BMP, and fine.
    assertThat(parser.parse(valid().put("event_id", "evt-\uD835\uDD18")).getEventId())
        .isEqualTo("evt-𝔘");
  }
}
