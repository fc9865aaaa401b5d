package dev.routemetrics.warehouse.sink;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import ru.yandex.clickhouse.util.ClickHouseRowBinaryStream;

/**
 * ClickHouse's RowBinary encoding of one insert's rows, written into a buffer of its own and handed
 * to the driver's request body a whole buffer at a time.
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
 * }</pre>
 */
final class RowBinaryOutput {

  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int CAPACITY = 64 * 1024;

  private final ClickHouseRowBinaryStream stream;
  private final byte[] buffer = new byte[CAPACITY];
  private int position;

  RowBinaryOutput(ClickHouseRowBinaryStream stream) {
    this.stream = stream;
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

  /** Java's long holds UInt64 values up to 2^63 - 1; a negative one is a bug upstream, not a huge count. */
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
    writeLeb128(utf8.length);
    if (utf8.length > CAPACITY) {
      // Larger than the buffer could ever hold: straight to the body, after what is buffered.
      flush();
      stream.writeBytes(utf8);
    } else {
      ensure(utf8.length);
      System.arraycopy(utf8, 0, buffer, position, utf8.length);
      position += utf8.length;
    }
    return this;
  }

  /** Hands what is buffered to the request body; call once after the last row. */
  void flush() throws IOException {
    if (position > 0) {
      stream.writeBytes(position == CAPACITY ? buffer : Arrays.copyOf(buffer, position));
      position = 0;
    }
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

  /** Makes room for {@code bytes} more (never more than the buffer holds: see {@link #writeString}). */
  private void ensure(int bytes) throws IOException {
    if (position + bytes > CAPACITY) {
      flush();
    }
  }
}
