package dev.routemetrics.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.Outcome;
import dev.routemetrics.events.TelemetryLevel;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  static UsageEvent sample() {
    return UsageEvent.newBuilder()
        .setEventId("evt-1")
        .setEventTime(Instant.parse("2026-11-01T10:15:30.123Z"))
        .setChannelId("direct-api")
        .setAccountId("acct-7")
        .setEndUserRef(null)
        .setModelId("m-large")
        .setRequestId("req-1")
        .setRequestCount(1)
        .setInputTokens(120)
        .setOutputTokens(80)
        .setLatencyMs(950)
        .setOutcome(Outcome.SUCCESS)
        .setTelemetry(TelemetryLevel.METADATA)
        .build();
  }

  @Test
  void shouldRoundTripAUsageEvent() {
    AvroSerde<UsageEvent> serde = AvroSerde.of(UsageEvent.class);
    assertThat(serde.deserialize("t", serde.serialize("t", sample()))).isEqualTo(sample());
  }

  @Test
  void shouldStartEveryRecordWithTheMarkerAndTheSchemaFingerprint() {
    byte[] bytes = AvroSerde.of(UsageEvent.class).encode(sample());
    long fingerprint = SchemaNormalization.parsingFingerprint64(UsageEvent.getClassSchema());
    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    for (int i = 0; i < 8; i++) {
      assertThat(bytes[2 + i])
          .as("fingerprint byte %d (little-endian)", i)
          .isEqualTo((byte) (fingerprint >>> (8 * i)));
    }
  }

  @Test
  void shouldBeReadableByAPlainAvroReaderGivenOnlyThePublishedSchemaFile() throws Exception {
    Schema published;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("avro/UsageEvent.avsc")) {
      published = new Schema.Parser().parse(in);
    }
    BinaryMessageDecoder<GenericRecord> plain =
        new BinaryMessageDecoder<>(GenericData.get(), published);

    GenericRecord read = plain.decode(AvroSerde.of(UsageEvent.class).encode(sample()));

    assertThat(read.get("event_id").toString()).isEqualTo("evt-1");
    assertThat(read.get("event_time"))
        .isEqualTo(Instant.parse("2026-11-01T10:15:30.123Z").toEpochMilli());
    assertThat(read.get("end_user_ref")).isNull();
    assertThat(read.get("input_tokens")).isEqualTo(120L);
    assertThat(read.get("outcome").toString()).isEqualTo("SUCCESS");
  }

  @Test
  void shouldRoundTripBillingAndFeedbackEvents() {
    AvroSerde<BillingEvent> billing = AvroSerde.of(BillingEvent.class);
    AvroSerde<FeedbackEvent> feedback = AvroSerde.of(FeedbackEvent.class);
    assertThat(billing.decode(billing.encode(Samples.partnerCharge())))
        .isEqualTo(Samples.partnerCharge());
    assertThat(feedback.decode(feedback.encode(Samples.thumbsUp()))).isEqualTo(Samples.thumbsUp());
  }

  @Test
  void shouldLetAPlainAvroReaderReadExactMoneyFromABillingEvent() throws Exception {
    BinaryMessageDecoder<GenericRecord> plain =
        new BinaryMessageDecoder<>(GenericData.get(), published("BillingEvent"));

    GenericRecord read =
        plain.decode(AvroSerde.of(BillingEvent.class).encode(Samples.partnerCharge()));

    assertThat(read.get("kind").toString()).isEqualTo("CHARGE");
    assertThat(read.get("billed_by").toString()).isEqualTo("PARTNER");
    assertThat(read.get("currency").toString()).isEqualTo("USD");
    // Without conversions a plain reader sees the decimal's unscaled two's-complement bytes:
    // 12.5000 is 125000.
    Schema net = read.getSchema().getField("net_amount").schema();
    BigDecimal netAmount =
        new Conversions.DecimalConversion()
            .fromBytes((ByteBuffer) read.get("net_amount"), net, net.getLogicalType());
    assertThat(netAmount).isEqualByComparingTo("10.0000");
    assertThat(((LogicalTypes.Decimal) net.getLogicalType()).getScale()).isEqualTo(4);
    assertThat(read.get("gross_amount")).isInstanceOf(ByteBuffer.class);
    assertThat(read.get("reported_request_count")).isNull();
  }

  @Test
  void shouldLetAPlainAvroReaderReadAFeedbackEvent() throws Exception {
    BinaryMessageDecoder<GenericRecord> plain =
        new BinaryMessageDecoder<>(GenericData.get(), published("FeedbackEvent"));

    GenericRecord read = plain.decode(AvroSerde.of(FeedbackEvent.class).encode(Samples.thumbsUp()));

    assertThat(read.get("request_id").toString()).isEqualTo("req-1");
    assertThat(read.get("kind").toString()).isEqualTo("RATING");
    assertThat(read.get("score")).isEqualTo(4);
    assertThat(read.get("trainable")).isEqualTo(true);
    assertThat(read.get("source").toString()).isEqualTo("END_USER");
  }

  private Schema published(String name) throws Exception {
    try (InputStream in =
        getClass().getClassLoader().getResourceAsStream("avro/" + name + ".avsc")) {
      return new Schema.Parser().parse(in);
    }
  }

  @Test
  void shouldReadTheWriterFingerprintOffTheHeaderOfASingleObject() {
    byte[] encoded = AvroSerde.of(UsageEvent.class).encode(sample());

    assertThat(AvroSerde.isSingleObject(encoded)).isTrue();
    // UsageEvent's fingerprint as schemas/README.md documents it.
    assertThat(AvroSerde.writerFingerprint(encoded)).isEqualTo(0xA6EBC9CC20581BCBL);
    assertThat(AvroSerde.isSingleObject(new byte[] {(byte) 0xC3, 0x01, 1, 2, 3, 4, 5, 6, 7}))
        .as("one byte short of a header")
        .isFalse();
    assertThat(AvroSerde.isSingleObject(new byte[] {'{', '"', 1, 2, 3, 4, 5, 6, 7, 8}))
        .as("JSON, not Avro")
        .isFalse();
  }
}
