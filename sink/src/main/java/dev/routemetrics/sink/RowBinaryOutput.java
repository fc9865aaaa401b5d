package dev.routemetrics.sink;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import ru.yandex.clickhouse.util.ClickHouseRowBinaryStream;

/**
 * ClickHouse's RowBinary encoding, written into a buffer of its own: either an insert's body,
 * handed to the driver's request a whole buffer at a time, or one row built in memory (which grows
 * as needed and can be dropped half-written).
 *
 * <p>Why not the driver's {@link ClickHouseRowBinaryStream} directly: it allocates an array per
 * number (Guava's {@code LittleEndianDataOutputStream}) and per string, and passes every few bytes
 * down to the HTTP chunked stream, which then writes a hex chunk header each time its 2 KiB cache
 * fills. Profiled with JFR on 500k rows, those layers took most of the encoder's samples, the hex
 * chunk headers alone about a twelfth of the sink thread's. Here numbers go straight into the
 * buffer, ASCII strings are copied char by char, and the driver sees one call per 64 KiB. The bytes
 * are the same ({@code RowBinaryOutputTest} compares them with the driver's), and so are the range
 * checks on unsigned values.
 *
 * <pre>{@code
 * statement.sendRowBinaryStream("INSERT INTO t (a, b)", stream -> {
 *   RowBinaryOutput out = new RowBinaryOutput(stream);
 *   out.writeUInt64(1).writeString("x");
 *   out.flush();
 * });
 * byte[] row = new RowBinaryOutput().writeUInt64(1).writeString("x").toByteArray();
 * }</pre>
 */
final class RowBinaryOutput {

  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int CAPACITY = 64 * 1024;

  private final ClickHouseRowBinaryStream stream;
  private byte[] buffer;
  private int position;

  /** An insert's body: every full 64 KiB goes to {@code stream}. */
  RowBinaryOutput(ClickHouseRowBinaryStream stream) {
    this.stream = stream;
    this.buffer = new byte[CAPACITY];
  }

  /** Rows in memory: the buffer grows instead of being flushed. */
  RowBinaryOutput() {
    this.stream = null;
    this.buffer = new byte[256];
  }

  RowBinaryOutput writeInt8(int value) throws IOException {
    if (value < Byte.MIN_VALUE || value > Byte.MAX_VALUE) {
      throw new IllegalArgumentException("not an Int8: " + value);
    }
    return writeByte(value);
  }

  RowBinaryOutput writeUInt8(int value) throws IOException {
    if (value < 0 || value > 0xFF) {
      throw new IllegalArgumentException("not a UInt8: " + value);
    }
    return writeByte(value);
  }

  RowBinaryOutput writeUInt32(long value) throws IOException {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("not a UInt32: " + value);
    }
    ensure(Integer.BYTES);
    INT.set(buffer, position, (int) value);
    position += Integer.BYTES;
    return this;
  }

  /**
   * Java's long holds UInt64 values up to 2^63 - 1; a negative one is a bug upstream, not a huge
   * count.
   */
  RowBinaryOutput writeUInt64(long value) throws IOException {
    if (value < 0) {
      throw new IllegalArgumentException("not a UInt64: " + value);
    }
    ensure(Long.BYTES);
    LONG.set(buffer, position, value);
    position += Long.BYTES;
    return this;
  }

  RowBinaryOutput writeFloat64(double value) throws IOException {
    ensure(Long.BYTES);
    LONG.set(buffer, position, Double.doubleToRawLongBits(value));
    position += Long.BYTES;
    return this;
  }

  /** The Nullable(T) marker before a value: 1 means null and no value follows, 0 that one does. */
  RowBinaryOutput writeNullMarker(boolean isNull) throws IOException {
    return writeByte(isNull ? 1 : 0);
  }

  /** A String column: the UTF-8 length as unsigned LEB128, then the bytes. */
  RowBinaryOutput writeString(String value) throws IOException {
    int length = value.length();
    if (length <= CAPACITY && isAscii(value, length)) {
      writeLeb128(length);
      ensure(length);
      for (int i = 0; i < length; i++) {
        buffer[position + i] = (byte) value.charAt(i);
      }
      position += length;
      return this;
    }
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    return writeString(utf8, 0, utf8.length);
  }

  /** A String column from UTF-8 bytes already at hand (a slice of an Avro record, say). */
  RowBinaryOutput writeString(byte[] utf8, int offset, int length) throws IOException {
    writeLeb128(length);
    return writeRaw(utf8, offset, length);
  }

  /** Bytes already in RowBinary, such as whole rows built by another {@code RowBinaryOutput}. */
  RowBinaryOutput writeRaw(byte[] bytes, int offset, int length) throws IOException {
    if (stream != null && length > CAPACITY) {
      // Larger than the buffer could ever hold: straight to the body, after what is buffered.
      flush();
      stream.writeBytes(Arrays.copyOfRange(bytes, offset, offset + length));
      return this;
    }
    ensure(length);
    System.arraycopy(bytes, offset, buffer, position, length);
    position += length;
    return this;
  }

  /** Hands what is buffered to the request body; call once after the last row. */
  void flush() throws IOException {
    if (stream != null && position > 0) {
      stream.writeBytes(position == buffer.length ? buffer : Arrays.copyOf(buffer, position));
      position = 0;
    }
  }

  /** In memory: what was written since the last {@link #reset}. */
  byte[] toByteArray() {
    return Arrays.copyOf(buffer, position);
  }

  /** In memory: forget what was written, keeping the buffer for the next row. */
  RowBinaryOutput reset() {
    position = 0;
    return this;
  }

  private static boolean isAscii(String value, int length) {
    for (int i = 0; i < length; i++) {
      if (value.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private void writeLeb128(int value) throws IOException {
    int rest = value;
    while ((rest & ~0x7F) != 0) {
      writeByte((rest & 0x7F) | 0x80);
      rest >>>= 7;
    }
    writeByte(rest);
  }

  private RowBinaryOutput writeByte(int value) throws IOException {
    ensure(1);
    buffer[position++] = (byte) value;
    return this;
  }

  /**
   * Makes room for {@code bytes} more: flushes a body (never more than it holds, see {@link
   * #writeRaw}), grows a row.
   */
  private void ensure(int bytes) throws IOException {
    if (position + bytes <= buffer.length) {
      return;
    }
    if (stream != null) {
      flush();
    } else {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, position + bytes));
    }
  }
}
