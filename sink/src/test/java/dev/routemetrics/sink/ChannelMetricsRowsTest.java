package dev.routemetrics.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routemetrics.events.Route;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.schemas.wire.AvroSerde;
import dev.routemetrics.schemas.wire.ReleasedSchemas;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.TimeZone;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
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
    dev.routemetrics.metrics.WindowSize[] sizes = {
      dev.routemetrics.metrics.WindowSize.MINUTE,
      dev.routemetrics.metrics.WindowSize.HOUR,
      dev.routemetrics.metrics.WindowSize.DAY
    };
    Route[] routes = Route.values();
    String[] names = {"direct-api", "cloud-nimbus", "Zürich-Marktplatz ☃", "", "x".repeat(300)};
    for (int i = 0; i < 2_000; i++) {
      Instant start = Instant.ofEpochMilli(random.nextLong(0, 4_000_000_000_000L));
      ChannelWindowMetrics row =
          ChannelWindowMetrics.newBuilder()
              .setChannelId(names[random.nextInt(names.length)])
              .setWindowSize(sizes[random.nextInt(3)])
              .setWindowStart(start)
              .setVersion(random.nextLong(0, Long.MAX_VALUE))
              .setRoute(random.nextInt(8) == 0 ? null : routes[random.nextInt(routes.length)])
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
    ChannelWindowMetrics unknown = SinkRowFixture.row();
    unknown.setWindowSize(dev.routemetrics.metrics.WindowSize.UNKNOWN);
    assertThatThrownBy(() -> rows.deserialize("t", SERDE.encode(unknown)))
        .as("the UNKNOWN symbol, never sent")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("UNKNOWN");
    GenericRecord week = released("v2", "WEEK", "DIRECT_API", 0, 0);
    assertThatThrownBy(() -> rows.deserialize("t", wire("v2", week)))
        .as("a v2 record's window size string")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("WEEK");
  }

  @Test
  void shouldReadTheFieldsTheSchemaHas() {
    assertThat(ChannelMetricsRows.fields(ChannelWindowMetrics.getClassSchema()))
        .isEqualTo(ChannelMetricsRows.FIELDS);
  }

  /**
   * One HOUR window of direct-api, in RowBinary as channel_metrics takes it (ChannelMetricsRows.
   * COLUMNS), written out by hand from ClickHouse's RowBinary format: Int8 and UInt32/UInt64 little
   * endian, strings with a varint length, Nullable with a leading 1 (null) or 0. The last two
   * columns, feedback_received and trainable_received, are appended per case.
   */
  private static final String HAND_ROW =
      "02" // window_size Enum8: HOUR = 2 (migration 002)
          + "a00de76a" // window_start 2026-11-01T10:00:00Z = 1793527200 s
          + "0a"
          + "6469726563742d617069" // channel_id "direct-api"
          + "0200000000000000" // version 2
          + "%s" // route, per case
          + "01" // partner_id null
          + "03" // control_points_owned 3
          + "0a00000000000000" // usage_events 10
          + "0a00000000000000" // requests 10
          + "6400000000000000" // input_tokens 100
          + "3200000000000000" // output_tokens 50
          + "0100000000000000" // active_accounts 1
          + "0100000000000000" // visible_end_users 1
          + "0000000000000000" // identified_requests 0
          + "0000000000000000" // error_requests 0
          + "00"
          + "0000000000205e40" // latency_p50_ms 120.5 (IEEE 754 double, little endian)
          + "01" // latency_p95_ms null
          + "01" // latency_p99_ms null
          + "0000000000000000" // full_telemetry_requests 0
          + "0000000000000000" // feedback_events 0
          + "0000000000000000" // trainable_feedback 0
          + "0000000000000000" // covered_requests 0
          + "00"
          + "a814e76a"; // newest_event_time 10:30:00Z = 1793529000 s

  private static final String DIRECT_API = "0a" + "4449524543545f415049"; // "DIRECT_API"
  private static final String UNKNOWN = "07" + "554e4b4e4f574e"; // "UNKNOWN"
  private static final String RECEIVED_9_5 = "0900000000000000" + "0500000000000000";
  private static final String RECEIVED_0_0 = "0000000000000000" + "0000000000000000";

  @Test
  @DisplayName(
      "schema v3 (window_size and route as enums) round-trips through the wire into the row written"
          + " by hand")
  void shouldTranscodeASchemaV3RecordIntoTheHandWrittenRow() {
    assertThat(hex(rows.deserialize("t", SERDE.encode(handRowV3(Route.DIRECT_API)))))
        .isEqualTo(String.format(HAND_ROW, DIRECT_API) + RECEIVED_9_5);
    assertThat(hex(rows.deserialize("t", SERDE.encode(handRowV3(null)))))
        .as("no route (a channel the registry never knew): UNKNOWN, as v1 and v2 wrote it")
        .isEqualTo(String.format(HAND_ROW, UNKNOWN) + RECEIVED_9_5);
  }

  @Test
  @DisplayName(
      "records of the released v1 and v2 schemas (strings) become the same rows as v3's; v1 without"
          + " the received counts lands with 0")
  void shouldTranscodeRecordsOfEveryReleasedVersionIntoTheSameRows() {
    assertThat(ChannelMetricsRows.fields(ReleasedSchemas.of("v1", "ChannelWindowMetrics")))
        .isEqualTo(ChannelMetricsRows.V1_FIELDS);
    assertThat(ChannelMetricsRows.fields(ReleasedSchemas.of("v2", "ChannelWindowMetrics")))
        .isEqualTo(ChannelMetricsRows.V2_FIELDS);
    String direct = String.format(HAND_ROW, DIRECT_API);
    String unknown = String.format(HAND_ROW, UNKNOWN);

    byte[] v2 = wire("v2", released("v2", "HOUR", "DIRECT_API", 9, 5));
    assertThat(Arrays.copyOfRange(v2, 2, 10))
        .as("v2's fingerprint, 9320ED320EB17616 little endian")
        .isEqualTo(bytes("1676b10e32ed2093"));
    assertThat(hex(rows.deserialize("t", v2))).isEqualTo(direct + RECEIVED_9_5);
    assertThat(hex(rows.deserialize("t", wire("v2", released("v2", "HOUR", "UNKNOWN", 9, 5)))))
        .isEqualTo(unknown + RECEIVED_9_5);
    assertThat(rows.deserialize("t", v2))
        .as("v2 and v3 of one window: one row")
        .isEqualTo(rows.deserialize("t", SERDE.encode(handRowV3(Route.DIRECT_API))));

    byte[] v1 = wire("v1", released("v1", "HOUR", "DIRECT_API", 9, 5));
    assertThat(Arrays.copyOfRange(v1, 2, 10))
        .as("v1's fingerprint, 730CAE507D9AFD4A little endian")
        .isEqualTo(bytes("4afd9a7d50ae0c73"));
    assertThat(hex(rows.deserialize("t", v1))).isEqualTo(direct + RECEIVED_0_0);

    for (byte[] older : new byte[][] {v1, v2}) {
      for (int cut = 0; cut < older.length; cut++) {
        byte[] truncated = Arrays.copyOf(older, cut);
        assertThatThrownBy(() -> rows.deserialize("t", truncated))
            .as("cut at %d", cut)
            .isInstanceOf(SerializationException.class);
      }
    }
  }

  /** The hand-written row as a v3 record. */
  private static ChannelWindowMetrics handRowV3(Route route) {
    ChannelWindowMetrics row = SinkRowFixture.row();
    row.setRoute(route);
    row.setNewestEventTime(Instant.parse("2026-11-01T10:30:00Z"));
    row.setFeedbackReceived(9L);
    row.setTrainableReceived(5L);
    return row;
  }

  /** The hand-written row as a record of released {@code version}: strings for size and route. */
  private static GenericRecord released(
      String version, String windowSize, String route, long received, long trainableReceived) {
    Schema schema = ReleasedSchemas.of(version, "ChannelWindowMetrics");
    GenericRecordBuilder row =
        new GenericRecordBuilder(schema)
            .set("channel_id", "direct-api")
            .set("window_size", windowSize)
            .set("window_start", 1_793_527_200_000L)
            .set("version", 2L)
            .set("route", route)
            .set("partner_id", null)
            .set("control_points_owned", 3)
            .set("usage_events", 10L)
            .set("requests", 10L)
            .set("input_tokens", 100L)
            .set("output_tokens", 50L)
            .set("active_accounts", 1L)
            .set("visible_end_users", 1L)
            .set("identified_requests", 0L)
            .set("error_requests", 0L)
            .set("latency_p50_ms", 120.5)
            .set("latency_p95_ms", null)
            .set("latency_p99_ms", null)
            .set("full_telemetry_requests", 0L)
            .set("feedback_events", 0L)
            .set("trainable_feedback", 0L)
            .set("covered_requests", 0L)
            .set("newest_event_time", 1_793_529_000_000L);
    if (schema.getField("feedback_received") != null) {
      row.set("feedback_received", received).set("trainable_received", trainableReceived);
    }
    return row.build();
  }

  /** A record as a streams app of that version put it on the wire. */
  private static byte[] wire(String version, GenericRecord record) {
    try {
      return new BinaryMessageEncoder<GenericRecord>(
              GenericData.get(), ReleasedSchemas.of(version, "ChannelWindowMetrics"))
          .encode(record)
          .array();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static byte[] bytes(String hex) {
    return HexFormat.of().parseHex(hex);
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
          case MINUTE -> 1;
          case HOUR -> 2;
          case DAY -> 3;
          case UNKNOWN -> throw new AssertionError("never sent");
        });
    out.writeUInt32(row.getWindowStart().getEpochSecond());
    out.writeString(row.getChannelId());
    out.writeUInt64(row.getVersion());
    out.writeString(row.getRoute() == null ? "UNKNOWN" : row.getRoute().name());
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
          .setWindowSize(dev.routemetrics.metrics.WindowSize.HOUR)
          .setWindowStart(start)
          .setVersion(2)
          .setRoute(Route.DIRECT_API)
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
