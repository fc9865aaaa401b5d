package dev.routemetrics.sink;

import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.schemas.wire.AvroSerde;
import dev.routemetrics.schemas.wire.ReleasedSchemas;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Turns a {@code channel-metrics} record as it is on the wire (Avro's single-object encoding of
 * {@link ChannelWindowMetrics}) straight into its {@code channel_metrics} row in RowBinary, without
 * building the Avro object in between.
 *
 * <p>Why: decoding through Avro's {@code SpecificDatumReader} (a resolving decoder over an
 * unbuffered stream, a reflective record instance, a boxed value or an {@code Instant} per field)
 * took 70% of the sink's polling thread in a JFR profile of 500k rows, and that thread paced the
 * whole sink. Here each field is a varint or a byte copy, read in schema order and written in
 * column order.
 *
 * <p>Safe because every record names its schema: only records whose fingerprint is that of {@link
 * ChannelWindowMetrics#getClassSchema()} (schema v3) or of the released v1 or v2 schema are read,
 * each with its own writer's layout (no schema resolution, which Avro cannot do across v3:
 * schemas/README.md), any other is refused as undecodable (as {@code AvroSerde} refuses a schema it
 * does not know), and the constructor fails if the current or a released schema's fields are no
 * longer the ones this class reads. v3 carries {@code window_size} as the enum {@code WindowSize}
 * (its symbol index) and {@code route} as a nullable {@code Route}; v1 and v2 carry both as
 * strings, and a null route is the UNKNOWN v1 and v2 wrote, so a record of any version becomes the
 * same row. A v1 record is v2's fields up to {@code newest_event_time}, without {@code
 * feedback_received} and {@code trainable_received}: its row gets their default, 0, so records a v1
 * streams app wrote before an upgrade still land. Values that decode but do not fit their column (a
 * negative count, an unknown window size, the UNKNOWN symbol) throw {@link
 * IllegalArgumentException}, which the worker sets aside as out of range in {@code
 * sink_rejected_records} (a bug upstream, or another producer), counted and logged, rather than
 * stop the topic. {@code ChannelMetricsRowsTest} compares the rows with Avro's own decoding encoded
 * column by column, and with rows written by hand.
 */
public final class ChannelMetricsRows implements Deserializer<byte[]> {

  /** The columns of each row, in their order. */
  static final String COLUMNS =
      "window_size, window_start, channel_id, version, route, partner_id, control_points_owned,"
          + " usage_events, requests, input_tokens, output_tokens, active_accounts,"
          + " visible_end_users, identified_requests, error_requests, latency_p50_ms,"
          + " latency_p95_ms, latency_p99_ms, full_telemetry_requests, feedback_events,"
          + " trainable_feedback, covered_requests, newest_event_time, feedback_received,"
          + " trainable_received";

  /** The fields of the current schema (v3) read below, in the schema's order, with their types. */
  static final String FIELDS =
      "channel_id:string window_size:enum window_start:long version:long route:[null,enum]"
          + " partner_id:[null,string] control_points_owned:int usage_events:long requests:long"
          + " input_tokens:long output_tokens:long active_accounts:long visible_end_users:long"
          + " identified_requests:long error_requests:long latency_p50_ms:[null,double]"
          + " latency_p95_ms:[null,double] latency_p99_ms:[null,double]"
          + " full_telemetry_requests:long feedback_events:long trainable_feedback:long"
          + " covered_requests:long newest_event_time:[null,long] feedback_received:long"
          + " trainable_received:long";

  /**
   * The fields of ChannelWindowMetrics as released in v2 ({@code schemas/released/v2}): v3's with
   * {@code window_size} and {@code route} as strings. Released schemas never change, so neither do
   * this and its fingerprint.
   */
  static final String V2_FIELDS =
      FIELDS
          .replace("window_size:enum", "window_size:string")
          .replace("route:[null,enum]", "route:string");

  /** As released in v1: the first fields of {@link #V2_FIELDS}. */
  static final String V1_FIELDS = V2_FIELDS.substring(0, V2_FIELDS.indexOf(" feedback_received:"));

  /** CRC-64-AVRO fingerprint of ChannelWindowMetrics v1 (schemas/README.md). */
  static final long V1_FINGERPRINT = 0x730CAE507D9AFD4AL;

  /** CRC-64-AVRO fingerprint of ChannelWindowMetrics v2 (schemas/README.md). */
  static final long V2_FINGERPRINT = 0x9320ED320EB17616L;

  /** What the route column says for a window of a channel the registry never knew. */
  static final String NO_ROUTE = "UNKNOWN";

  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final WindowSize[] WINDOW_SIZES = WindowSize.values();
  private static final byte[][] WINDOW_SIZE_NAMES = new byte[WINDOW_SIZES.length][];
  private static final byte[] NO_ROUTE_BYTES = NO_ROUTE.getBytes(StandardCharsets.US_ASCII);

  static {
    for (int i = 0; i < WINDOW_SIZES.length; i++) {
      WINDOW_SIZE_NAMES[i] = WINDOW_SIZES[i].name().getBytes(StandardCharsets.US_ASCII);
    }
    // The released layouts read below, checked once against the files the schemas jar ships (a
    // writer of each instance per insert must not parse them again).
    for (String version : List.of("v1", "v2")) {
      Schema released = ReleasedSchemas.of(version, "ChannelWindowMetrics");
      String expected = version.equals("v1") ? V1_FIELDS : V2_FIELDS;
      long expectedFingerprint = version.equals("v1") ? V1_FINGERPRINT : V2_FINGERPRINT;
      if (!fields(released).equals(expected)
          || SchemaNormalization.parsingFingerprint64(released) != expectedFingerprint) {
        throw new IllegalStateException(
            "ChannelWindowMetrics as released in " + version + " is not what this class reads");
      }
    }
  }

  /** The writer's layouts this class reads: window size and route as strings, or as enums. */
  private enum Layout {
    V1,
    V2,
    V3
  }

  private final long fingerprint;

  /**
   * The Enum8 code of each symbol index of v3's {@code WindowSize}, by name through {@link
   * WindowSize}; -1 for a symbol that is none of ours (UNKNOWN).
   */
  private final int[] windowSizeCodes;

  /** The name of each symbol index of v3's {@code Route}, as the route column holds it. */
  private final byte[][] routeNames;

  private final List<String> windowSizeSymbols;
  private final RowBinaryOutput row = new RowBinaryOutput();
  private byte[] in;
  private int position;

  public ChannelMetricsRows() {
    Schema schema = ChannelWindowMetrics.getClassSchema();
    String fields = fields(schema);
    if (!fields.equals(FIELDS)) {
      throw new IllegalStateException(
          "ChannelMetricsRows reads ChannelWindowMetrics as "
              + FIELDS
              + "; the schema now has "
              + fields
              + ". Update ChannelMetricsRows and COLUMNS to match.");
    }
    this.fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    this.windowSizeSymbols = schema.getField("window_size").schema().getEnumSymbols();
    this.windowSizeCodes = new int[windowSizeSymbols.size()];
    for (int i = 0; i < windowSizeCodes.length; i++) {
      windowSizeCodes[i] = -1;
      for (WindowSize size : WINDOW_SIZES) {
        if (size.name().equals(windowSizeSymbols.get(i))) {
          windowSizeCodes[i] = size.clickHouseCode();
        }
      }
    }
    List<String> routes = schema.getField("route").schema().getTypes().get(1).getEnumSymbols();
    this.routeNames = new byte[routes.size()][];
    for (int i = 0; i < routeNames.length; i++) {
      routeNames[i] = routes.get(i).getBytes(StandardCharsets.US_ASCII);
    }
  }

  /**
   * {@code name:type} of each field, unions as {@code [a,b]}, logical types by their physical type.
   */
  static String fields(Schema schema) {
    return schema.getFields().stream()
        .map(f -> f.name() + ":" + type(f.schema()))
        .collect(Collectors.joining(" "));
  }

  private static String type(Schema schema) {
    if (schema.getType() == Schema.Type.UNION) {
      List<String> branches = schema.getTypes().stream().map(ChannelMetricsRows::type).toList();
      return "[" + String.join(",", branches) + "]";
    }
    return schema.getType().getName();
  }

  /** The row of one record; null for a tombstone. Not thread-safe: one instance per worker. */
  @Override
  public byte[] deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (!AvroSerde.isSingleObject(data)) {
      throw malformed("not in Avro single-object encoding");
    }
    long written = AvroSerde.writerFingerprint(data);
    Layout layout;
    if (written == fingerprint) {
      layout = Layout.V3;
    } else if (written == V2_FINGERPRINT) {
      layout = Layout.V2;
    } else if (written == V1_FINGERPRINT) {
      layout = Layout.V1;
    } else {
      throw malformed(String.format("written with an unknown schema (fingerprint %016x)", written));
    }
    in = data;
    position = AvroSerde.HEADER_BYTES;
    try {
      return transcode(layout);
    } catch (IOException e) {
      throw new IllegalStateException("an in-memory row cannot fail to grow", e);
    } finally {
      in = null;
    }
  }

  private byte[] transcode(Layout layout) throws IOException {
    row.reset();
    int channelLength = readLength();
    int channel = skip(channelLength);
    if (layout == Layout.V3) {
      row.writeInt8(windowSizeCode(readLong()));
    } else {
      int windowSizeLength = readLength();
      int windowSize = skip(windowSizeLength);
      row.writeInt8(windowSizeCode(windowSize, windowSizeLength));
    }
    row.writeUInt32(Math.floorDiv(readLong(), 1000L));
    row.writeString(in, channel, channelLength);
    row.writeUInt64(readLong()); // version
    if (layout == Layout.V3) { // route: null for a channel the registry never knew
      if (readPresent()) {
        byte[] route = routeName(readLong());
        row.writeString(route, 0, route.length);
      } else {
        row.writeString(NO_ROUTE_BYTES, 0, NO_ROUTE_BYTES.length);
      }
    } else {
      copyString(); // v1 and v2 wrote UNKNOWN themselves
    }
    if (readPresent()) { // partner_id
      row.writeNullMarker(false);
      copyString();
    } else {
      row.writeNullMarker(true);
    }
    long controlPoints = readLong();
    if (controlPoints < 0 || controlPoints > 0xFF) {
      throw new IllegalArgumentException(
          "control_points_owned must fit UInt8, was " + controlPoints);
    }
    row.writeUInt8((int) controlPoints);
    for (int i = 0; i < 8; i++) { // usage_events .. error_requests
      row.writeUInt64(readLong());
    }
    for (int i = 0; i < 3; i++) { // latency_p50_ms, latency_p95_ms, latency_p99_ms
      boolean present = readPresent();
      row.writeNullMarker(!present);
      if (present) {
        row.writeFloat64(Double.longBitsToDouble((long) LONG.get(in, skip(Long.BYTES))));
      }
    }
    for (int i = 0; i < 4; i++) { // full_telemetry_requests .. covered_requests
      row.writeUInt64(readLong());
    }
    boolean newest = readPresent();
    row.writeNullMarker(!newest);
    if (newest) {
      row.writeUInt32(Math.floorDiv(readLong(), 1000L));
    }
    // feedback_received, trainable_received: schema v2; a v1 record has neither, their default is
    // 0.
    boolean received = layout != Layout.V1;
    row.writeUInt64(received ? readLong() : 0);
    row.writeUInt64(received ? readLong() : 0);
    return row.toByteArray();
  }

  /** The Enum8 code of v3's window size symbol {@code index}. */
  private int windowSizeCode(long index) {
    if (index < 0 || index >= windowSizeCodes.length) {
      throw malformed("window_size symbol " + index + " of " + windowSizeCodes.length);
    }
    int code = windowSizeCodes[(int) index];
    if (code < 0) {
      throw new IllegalArgumentException(
          "window_size must be one of "
              + Arrays.toString(WINDOW_SIZES)
              + ", was "
              + windowSizeSymbols.get((int) index));
    }
    return code;
  }

  /** The name of v3's route symbol {@code index}. */
  private byte[] routeName(long index) {
    if (index < 0 || index >= routeNames.length) {
      throw malformed("route symbol " + index + " of " + routeNames.length);
    }
    return routeNames[(int) index];
  }

  private void copyString() throws IOException {
    int length = readLength();
    row.writeString(in, skip(length), length);
  }

  /** The Enum8 code of the window_size column (migration 002) of the name at {@code offset}. */
  private int windowSizeCode(int offset, int length) {
    for (int i = 0; i < WINDOW_SIZES.length; i++) {
      if (equal(WINDOW_SIZE_NAMES[i], offset, length)) {
        return WINDOW_SIZES[i].clickHouseCode();
      }
    }
    throw new IllegalArgumentException(
        "window_size must be one of "
            + Arrays.toString(WINDOW_SIZES)
            + ", was '"
            + new String(in, offset, length, StandardCharsets.UTF_8)
            + "'");
  }

  private boolean equal(byte[] expected, int offset, int length) {
    return Arrays.equals(expected, 0, expected.length, in, offset, offset + length);
  }

  /** Avro's long and int: zig-zag, then base-128 varint, at most 10 bytes. */
  private long readLong() {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (position >= in.length) {
        throw malformed("truncated");
      }
      byte b = in[position++];
      value |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return (value >>> 1) ^ -(value & 1);
      }
    }
    throw malformed("a varint longer than 10 bytes");
  }

  private int readLength() {
    long length = readLong();
    if (length < 0 || length > in.length - position) {
      throw malformed("a string length of " + length + " past the record's end");
    }
    return (int) length;
  }

  /** A union of null and one type: branch 0 is null, 1 the value. */
  private boolean readPresent() {
    long branch = readLong();
    if (branch != 0 && branch != 1) {
      throw malformed("union branch " + branch + " of two");
    }
    return branch == 1;
  }

  /** Moves past {@code bytes} bytes and returns where they start. */
  private int skip(int bytes) {
    if (bytes > in.length - position) {
      throw malformed("truncated");
    }
    int start = position;
    position += bytes;
    return start;
  }

  private static SerializationException malformed(String why) {
    return new SerializationException("cannot decode ChannelWindowMetrics: " + why);
  }
}
