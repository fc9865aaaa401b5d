package dev.routemetrics.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.TimeZone;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import ru.yandex.clickhouse.settings.ClickHouseProperties;
import ru.yandex.clickhouse.util.ClickHouseRowBinaryStream;

/**
 * The transcoded row equals what Avro's own decoding gives, written column by column through the
 * driver's RowBinary stream (the sink's encoding before the transcoder).
 */
class ChannelMetricsRowsTest {

  private static final AvroSerde<ChannelWindowMetrics> SERDE =
      AvroSerde.of(ChannelWindowMetrics.class);

  /**
   * The released v1 schema, as the schemas module keeps it (tests run in the module's directory).
   */
  private static final Path RELEASED_V1 =
      Path.of("..", "schemas", "released", "v1", "ChannelWindowMetrics.avsc");

  private final ChannelMetricsRows rows = new ChannelMetricsRows();

  @Test
  @DisplayName(
      "the window_size Enum8 of the metric tables is the contract's WindowSize, code for code")
  void shouldWriteTheWindowSizeCodesTheTablesDeclare() throws Exception {
    java.util.StringJoiner declared = new java.util.StringJoiner(", ", "Enum8(", ")");
    for (WindowSize size : WindowSize.values()) {
      declared.add("'" + size.name() + "' = " + size.clickHouseCode());
    }
    for (String migration : new String[] {"002_channel_metrics.sql", "003_channel_revenue.sql"}) {
      try (var sql = getClass().getResourceAsStream("/db/migrations/" + migration)) {
        assertThat(new String(sql.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
            .as(migration)
            .contains("window_size")
            .contains(declared.toString());
      }
    }
  }

  @Test
  @DisplayName(
      "2,000 random rows, nulls, non-ASCII names and extreme counts included, transcode to the"
          + " driver's bytes")
  void shouldWriteWhatDecodingAndEncodingColumnByColumnWrites() throws IOException {
    Random random = new Random(7);
    String[] sizes = {"MINUTE", "HOUR", "DAY"};
    String[] names = {"direct-api", "cloud-nimbus", "Zürich-Marktplatz ☃", "", "x".repeat(300)};
    for (int i = 0; i < 2_000; i++) {
      Instant start = Instant.ofEpochMilli(random.nextLong(0, 4_000_000_000_000L));
      ChannelWindowMetrics row =
          ChannelWindowMetrics.newBuilder()
              .setChannelId(names[random.nextInt(names.length)])
              .setWindowSize(sizes[random.nextInt(3)])
              .setWindowStart(start)
              .setVersion(random.nextLong(0, Long.MAX_VALUE))
              .setRoute("CLOUD_PARTNER")
              .setPartnerId(random.nextBoolean() ? null : names[random.nextInt(names.length)])
              .setControlPointsOwned(random.nextInt(256))
              .setUsageEvents(random.nextLong(0, Long.MAX_VALUE))
              .setRequests(i)
              .setInputTokens(Long.MAX_VALUE)
              .setOutputTokens(0)
              .setActiveAccounts(random.nextInt(1000))
              .setVisibleEndUsers(1)
              .setIdentifiedRequests(2)
              .setErrorRequests(3)
              .setLatencyP50Ms(random.nextBoolean() ? null : random.nextDouble() * 1e4)
              .setLatencyP95Ms(random.nextBoolean() ? null : -0.0)
              .setLatencyP99Ms(random.nextBoolean() ? null : 1e300)
              .setFullTelemetryRequests(4)
              .setFeedbackEvents(5)
              .setTrainableFeedback(6)
              .setCoveredRequests(7)
              .setNewestEventTime(
                  random.nextBoolean() ? null : start.plusMillis(random.nextInt(3_600_000)))
              .setFeedbackReceived(random.nextLong(0, Long.MAX_VALUE))
              .setTrainableReceived(random.nextInt(1000))
              .build();
      assertThat(rows.deserialize("t", SERDE.encode(row)))
          .as("row %d: %s", i, row)
          .isEqualTo(columnByColumn(row));
    }
  }

  @Test
  void shouldRefuseRecordsOfAnotherSchemaOrCutShortAsUndecodable() {
    byte[] wire = SERDE.encode(SinkRowFixture.row());
    byte[] otherSchema = wire.clone();
    otherSchema[5] ^= 1;
    assertThatThrownBy(() -> rows.deserialize("t", otherSchema))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown schema");
    for (int cut = 0; cut < wire.length; cut++) {
      byte[] truncated = Arrays.copyOf(wire, cut);
      assertThatThrownBy(() -> rows.deserialize("t", truncated))
          .as("cut at %d", cut)
          .isInstanceOf(SerializationException.class);
    }
    assertThat(rows.deserialize("t", null)).isNull();
  }

  @Test
  void shouldStopOnAValueItsColumnCannotHoldRatherThanSkipTheRow() {
    ChannelWindowMetrics negative = SinkRowFixture.row();
    negative.setRequests(-1L);
    assertThatThrownBy(() -> rows.deserialize("t", SERDE.encode(negative)))
        .isInstanceOf(IllegalArgumentException.class);
    ChannelWindowMetrics week = SinkRowFixture.row();
    week.setWindowSize("WEEK");
    assertThatThrownBy(() -> rows.deserialize("t", SERDE.encode(week)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("WEEK");
  }

  @Test
  void shouldReadTheFieldsTheSchemaHas() {
    assertThat(ChannelMetricsRows.fields(ChannelWindowMetrics.getClassSchema()))
        .isEqualTo(ChannelMetricsRows.FIELDS);
  }

  @Test
  @DisplayName(
      "a record written with the released v1 schema lands with feedback_received and"
          + " trainable_received 0")
  void shouldTranscodeARecordOfSchemaV1WithTheNewColumnsAtTheirDefault() throws IOException {
    Schema v1 = new Schema.Parser().parse(RELEASED_V1.toFile());
    assertThat(ChannelMetricsRows.fields(v1))
        .as("v1's fields")
        .isEqualTo(ChannelMetricsRows.V1_FIELDS);
    assertThat(SchemaNormalization.parsingFingerprint64(v1))
        .as("v1's fingerprint")
        .isEqualTo(ChannelMetricsRows.V1_FINGERPRINT);
    ChannelWindowMetrics v2 = SinkRowFixture.row();
    v2.setFeedbackEvents(4L);
    v2.setTrainableFeedback(2L);
    v2.setCoveredRequests(3L);
    v2.setFeedbackReceived(9L);
    v2.setTrainableReceived(5L);
    // What a v1 streams app would have written for this window: the same fields, without the two
    // new ones.
    BinaryMessageDecoder<GenericRecord> asV1 = new BinaryMessageDecoder<>(GenericData.get(), v1);
    asV1.addSchema(ChannelWindowMetrics.getClassSchema());
    byte[] v1Wire =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1)
            .encode(asV1.decode(SERDE.encode(v2)))
            .array();

    ChannelWindowMetrics expected = SinkRowFixture.row();
    expected.setFeedbackEvents(4L);
    expected.setTrainableFeedback(2L);
    expected.setCoveredRequests(3L);
    expected.setFeedbackReceived(0L);
    expected.setTrainableReceived(0L);
    assertThat(rows.deserialize("t", v1Wire)).isEqualTo(columnByColumn(expected));
    assertThat(rows.deserialize("t", SERDE.encode(v2)))
        .as("the v2 record keeps its counts")
        .isEqualTo(columnByColumn(v2));
    for (int cut = 0; cut < v1Wire.length; cut++) {
      byte[] truncated = Arrays.copyOf(v1Wire, cut);
      assertThatThrownBy(() -> rows.deserialize("t", truncated))
          .as("v1 cut at %d", cut)
          .isInstanceOf(SerializationException.class);
    }
  }

  /**
   * The sink's encoding before the transcoder, from the decoded object, in
   * ChannelMetricsRows.COLUMNS order.
   */
  private static byte[] columnByColumn(ChannelWindowMetrics row) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ClickHouseRowBinaryStream out =
        new ClickHouseRowBinaryStream(
            bytes, TimeZone.getTimeZone("UTC"), new ClickHouseProperties());
    out.writeInt8(
        switch (row.getWindowSize()) {
          case "MINUTE" -> 1;
          case "HOUR" -> 2;
          default -> 3;
        });
    out.writeUInt32(row.getWindowStart().getEpochSecond());
    out.writeString(row.getChannelId());
    out.writeUInt64(row.getVersion());
    out.writeString(row.getRoute());
    out.markNextNullable(row.getPartnerId() == null);
    if (row.getPartnerId() != null) {
      out.writeString(row.getPartnerId());
    }
    out.writeUInt8(row.getControlPointsOwned());
    for (long count :
        new long[] {
          row.getUsageEvents(),
          row.getRequests(),
          row.getInputTokens(),
          row.getOutputTokens(),
          row.getActiveAccounts(),
          row.getVisibleEndUsers(),
          row.getIdentifiedRequests(),
          row.getErrorRequests()
        }) {
      out.writeUInt64(count);
    }
    for (Double latency :
        new Double[] {row.getLatencyP50Ms(), row.getLatencyP95Ms(), row.getLatencyP99Ms()}) {
      out.markNextNullable(latency == null);
      if (latency != null) {
        out.writeFloat64(latency);
      }
    }
    for (long count :
        new long[] {
          row.getFullTelemetryRequests(),
          row.getFeedbackEvents(),
          row.getTrainableFeedback(),
          row.getCoveredRequests()
        }) {
      out.writeUInt64(count);
    }
    out.markNextNullable(row.getNewestEventTime() == null);
    if (row.getNewestEventTime() != null) {
      out.writeUInt32(row.getNewestEventTime().getEpochSecond());
    }
    out.writeUInt64(row.getFeedbackReceived());
    out.writeUInt64(row.getTrainableReceived());
    return bytes.toByteArray();
  }

  /** One valid row. */
  private static final class SinkRowFixture {
    static ChannelWindowMetrics row() {
      Instant start = Instant.parse("2026-11-01T10:00:00Z");
      return ChannelWindowMetrics.newBuilder()
          .setChannelId("direct-api")
          .setWindowSize("HOUR")
          .setWindowStart(start)
          .setVersion(2)
          .setRoute("DIRECT_API")
          .setPartnerId(null)
          .setControlPointsOwned(3)
          .setUsageEvents(10)
          .setRequests(10)
          .setInputTokens(100)
          .setOutputTokens(50)
          .setActiveAccounts(1)
          .setVisibleEndUsers(1)
          .setIdentifiedRequests(0)
          .setErrorRequests(0)
          .setLatencyP50Ms(120.5)
          .setLatencyP95Ms(null)
          .setLatencyP99Ms(null)
          .setFullTelemetryRequests(0)
          .setFeedbackEvents(0)
          .setTrainableFeedback(0)
          .setCoveredRequests(0)
          .setNewestEventTime(start)
          .build();
    }
  }
}
