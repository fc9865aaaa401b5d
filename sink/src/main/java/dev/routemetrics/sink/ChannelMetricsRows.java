package dev.routemetrics.sink;

import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.schemas.windows.WindowSize;
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
 * ChannelWindowMetrics#getClassSchema()} (schema v2) or of the released v1 schema are read, any
 * other is refused as undecodable (as {@code AvroSerde} refuses a schema it does not know), and the
 * constructor fails if the current schema's fields are no longer the ones this class reads. A v1
 * record is v2's fields up to {@code newest_event_time}, without {@code feedback_received} and
 * {@code trainable_received}: its row gets their default, 0, so records a v1 streams app wrote
 * before an upgrade still land. Values that decode but do not fit their column (a negative count,
 * an unknown window size) throw {@link IllegalArgumentException}, which the worker sets aside as
 * out of range in {@code sink_rejected_records} (a bug upstream, or another producer), counted and
 * logged, rather than stop the topic. {@code ChannelMetricsRowsTest} compares the rows with Avro's
 * own decoding encoded column by column.
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

  /** The fields read below, in the schema's order, with their Avro types. */
  static final String FIELDS =
      "channel_id:string window_size:string window_start:long version:long route:string"
          + " partner_id:[null,string] control_points_owned:int usage_events:long requests:long"
          + " input_tokens:long output_tokens:long active_accounts:long visible_end_users:long"
          + " identified_requests:long error_requests:long latency_p50_ms:[null,double]"
          + " latency_p95_ms:[null,double] latency_p99_ms:[null,double]"
          + " full_telemetry_requests:long feedback_events:long trainable_feedback:long"
          + " covered_requests:long newest_event_time:[null,long] feedback_received:long"
          + " trainable_received:long";

  /**
   * The fields of ChannelWindowMetrics as released in v1 ({@code schemas/released/v1}): the first
   * fields of {@link #FIELDS}. Released schemas never change, so neither do this and its
   * fingerprint.
   */
  static final String V1_FIELDS = FIELDS.substring(0, FIELDS.indexOf(" feedback_received:"));

  /** CRC-64-AVRO fingerprint of ChannelWindowMetrics v1 (schemas/README.md). */
  static final long V1_FINGERPRINT = 0x730CAE507D9AFD4AL;

  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int HEADER = 10;
  private static final WindowSize[] WINDOW_SIZES = WindowSize.values();
  private static final byte[][] WINDOW_SIZE_NAMES = new byte[WINDOW_SIZES.length][];

  static {
    for (int i = 0; i < WINDOW_SIZES.length; i++) {
      WINDOW_SIZE_NAMES[i] = WINDOW_SIZES[i].name().getBytes(StandardCharsets.US_ASCII);
    }
  }

  private final long fingerprint;
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
    if (data.length < HEADER || data[0] != (byte) 0xC3 || data[1] != 0x01) {
      throw malformed("not in Avro single-object encoding");
    }
    long written = (long) LONG.get(data, 2);
    if (written != fingerprint && written != V1_FINGERPRINT) {
      throw malformed(String.format("written with an unknown schema (fingerprint %016x)", written));
    }
    in = data;
    position = HEADER;
    try {
      return transcode(written == fingerprint);
    } catch (IOException e) {
      throw new IllegalStateException("an in-memory row cannot fail to grow", e);
    } finally {
      in = null;
    }
  }

  private byte[] transcode(boolean v2) throws IOException {
    row.reset();
    int channelLength = readLength();
    int channel = skip(channelLength);
    int windowSizeLength = readLength();
    int windowSize = skip(windowSizeLength);
    row.writeInt8(windowSizeCode(windowSize, windowSizeLength));
    row.writeUInt32(Math.floorDiv(readLong(), 1000L));
    row.writeString(in, channel, channelLength);
    row.writeUInt64(readLong()); // version
    copyString(); // route
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
    row.writeUInt64(v2 ? readLong() : 0);
    row.writeUInt64(v2 ? readLong() : 0);
    return row.toByteArray();
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
