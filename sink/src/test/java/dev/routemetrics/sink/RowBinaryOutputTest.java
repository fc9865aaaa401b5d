package dev.routemetrics.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.TimeZone;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import ru.yandex.clickhouse.settings.ClickHouseProperties;
import ru.yandex.clickhouse.util.ClickHouseRowBinaryStream;

/**
 * The encoder writes, byte for byte, what the driver's own RowBinary stream writes for the same
 * values.
 */
class RowBinaryOutputTest {

  private final ByteArrayOutputStream ours = new ByteArrayOutputStream();
  private final ByteArrayOutputStream drivers = new ByteArrayOutputStream();
  private final RowBinaryOutput out = new RowBinaryOutput(stream(ours));
  private final ClickHouseRowBinaryStream reference = stream(drivers);

  private static ClickHouseRowBinaryStream stream(ByteArrayOutputStream bytes) {
    return new ClickHouseRowBinaryStream(
        bytes, TimeZone.getTimeZone("UTC"), new ClickHouseProperties());
  }

  @Test
  @DisplayName("numbers, null markers and strings encode as the driver encodes them")
  void shouldWriteTheDriversBytesForEveryColumnType() throws IOException {
    out.writeInt8(-128)
        .writeInt8(3)
        .writeUInt8(255)
        .writeUInt32(0xFFFF_FFFFL)
        .writeUInt32(1_767_225_600L)
        .writeUInt64(Long.MAX_VALUE)
        .writeUInt64(0)
        .writeFloat64(120.5)
        .writeFloat64(-0.0)
        .writeNullMarker(true)
        .writeNullMarker(false)
        .writeString("")
        .writeString("direct-api")
        .writeString("Zürich ☃ 日本");
    out.flush();
    reference.writeInt8(-128);
    reference.writeInt8(3);
    reference.writeUInt8(255);
    reference.writeUInt32(0xFFFF_FFFFL);
    reference.writeUInt32(1_767_225_600L);
    reference.writeUInt64(Long.MAX_VALUE);
    reference.writeUInt64(0);
    reference.writeFloat64(120.5);
    reference.writeFloat64(-0.0);
    reference.markNextNullable(true);
    reference.markNextNullable(false);
    reference.writeString("");
    reference.writeString("direct-api");
    reference.writeString("Zürich ☃ 日本");
    assertThat(ours.toByteArray()).isEqualTo(drivers.toByteArray());
  }

  @Test
  @DisplayName(
      "values that straddle the 64 KiB buffer, and strings longer than it, arrive whole and in"
          + " order")
  void shouldKeepOrderAcrossBufferBoundariesAndOversizedStrings() throws IOException {
    String longAscii = "a".repeat(200_000);
    String longUnicode = "é".repeat(70_000);
    for (int i = 0; i < 20_000; i++) {
      out.writeUInt64(i).writeString("channel-" + i);
      reference.writeUInt64(i);
      reference.writeString("channel-" + i);
      if (i % 5_000 == 0) {
        out.writeString(longAscii).writeString(longUnicode);
        reference.writeString(longAscii);
        reference.writeString(longUnicode);
      }
    }
    out.flush();
    assertThat(ours.toByteArray()).isEqualTo(drivers.toByteArray());
  }

  @Test
  void shouldRefuseValuesOutsideTheUnsignedColumnsRange() {
    assertThatThrownBy(() -> out.writeUInt64(-1)).hasMessageContaining("UInt64");
    assertThatThrownBy(() -> out.writeUInt32(1L << 32)).hasMessageContaining("UInt32");
    assertThatThrownBy(() -> out.writeUInt8(256)).hasMessageContaining("UInt8");
    assertThatThrownBy(() -> out.writeInt8(128)).hasMessageContaining("Int8");
  }
}
