package dev.routemetrics.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routemetrics.events.Route;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.metrics.WindowSize;
import dev.routemetrics.schemas.wire.AvroSerde;
import dev.routemetrics.schemas.wire.ReleasedSchemas;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** channel-revenue records of every released version into the same current record. */
class ChannelRevenueRecordsTest {

  private final ChannelRevenueRecords records = new ChannelRevenueRecords();

  /** One DAY of cloud-nimbus in EUR, as v3 writes it. */
  private static ChannelWindowRevenue v3(Route route) {
    return ChannelWindowRevenue.newBuilder()
        .setChannelId("cloud-nimbus")
        .setWindowSize(WindowSize.DAY)
        .setWindowStart(Instant.parse("2026-11-01T00:00:00Z"))
        .setCurrency("EUR")
        .setRoute(route)
        .setPartnerId("nimbus")
        .setVersion(4)
        .setBillingEvents(3)
        .setGross(new BigDecimal("120.5000"))
        .setNetWhereGrossKnown(new BigDecimal("96.4000"))
        .setPartnerFee(new BigDecimal("24.1000"))
        .setNet(new BigDecimal("-3.2500"))
        .setNetBilledByLab(new BigDecimal("0.0000"))
        .build();
  }

  /** The same window as a v1/v2 streams app wrote it: strings, decimals as unscaled bytes. */
  private static byte[] beforeV3(String version, String windowSize, String route)
      throws IOException {
    Schema schema = ReleasedSchemas.of(version, "ChannelWindowRevenue");
    GenericRecord record =
        new GenericRecordBuilder(schema)
            .set("channel_id", "cloud-nimbus")
            .set("window_size", windowSize)
            .set("window_start", 1_793_491_200_000L) // 2026-11-01T00:00:00Z
            .set("currency", "EUR")
            .set("route", route)
            .set("partner_id", "nimbus")
            .set("version", 4L)
            .set("billing_events", 3L)
            .set("gross", unscaled(1_205_000)) // 120.5000 at scale 4
            .set("net_where_gross_known", unscaled(964_000))
            .set("partner_fee", unscaled(241_000))
            .set("net", unscaled(-32_500))
            .set("net_billed_by_lab", unscaled(0))
            .build();
    return new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema)
        .encode(record)
        .array();
  }

  private static ByteBuffer unscaled(long value) {
    return ByteBuffer.wrap(java.math.BigInteger.valueOf(value).toByteArray());
  }

  @Test
  void shouldReadACurrentRecordAsItIs() {
    ChannelWindowRevenue row = v3(Route.CLOUD_PARTNER);
    assertThat(records.deserialize("t", AvroSerde.of(ChannelWindowRevenue.class).encode(row)))
        .isEqualTo(row);
    assertThat(records.deserialize("t", null)).isNull();
  }

  @Test
  @DisplayName("a v1 or v2 record (one schema, strings) is the v3 record of the same window")
  void shouldReadRecordsOfTheReleasedVersionsIntoTheCurrentRecord() throws IOException {
    for (String version : new String[] {"v1", "v2"}) {
      byte[] wire = beforeV3(version, "DAY", "CLOUD_PARTNER");
      assertThat(Arrays.copyOfRange(wire, 2, 10))
          .as("CF153791E4F762FF little endian")
          .isEqualTo(java.util.HexFormat.of().parseHex("ff62f7e4913715cf"));
      assertThat(records.deserialize("t", wire)).as(version).isEqualTo(v3(Route.CLOUD_PARTNER));
      assertThat(records.deserialize("t", beforeV3(version, "DAY", "UNKNOWN")))
          .as("%s's UNKNOWN route is v3's no route", version)
          .isEqualTo(v3(null));
    }
  }

  @Test
  void shouldSetAsideWhatNamesNoWindowSizeOrRouteOfOursAsOutOfRange() throws IOException {
    ChannelWindowRevenue unknown = v3(Route.DIRECT_API);
    unknown.setWindowSize(WindowSize.UNKNOWN);
    byte[] unknownSize = AvroSerde.of(ChannelWindowRevenue.class).encode(unknown);
    assertThatThrownBy(() -> records.deserialize("t", unknownSize))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] week = beforeV3("v2", "WEEK", "DIRECT_API");
    assertThatThrownBy(() -> records.deserialize("t", week))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("WEEK");
    byte[] noRoute = beforeV3("v2", "DAY", "CARRIER_PIGEON");
    assertThatThrownBy(() -> records.deserialize("t", noRoute))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CARRIER_PIGEON");
  }

  @Test
  void shouldRefuseAnotherSchemaOrACutRecordAsUndecodable() throws IOException {
    byte[] wire = beforeV3("v2", "DAY", "CLOUD_PARTNER");
    byte[] other = wire.clone();
    other[5] ^= 1;
    assertThatThrownBy(() -> records.deserialize("t", other))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("unknown schema");
    byte[] current = AvroSerde.of(ChannelWindowRevenue.class).encode(v3(Route.CLOUD_PARTNER));
    for (byte[] record : new byte[][] {wire, current}) {
      for (int cut = 0; cut < record.length; cut++) {
        byte[] truncated = Arrays.copyOf(record, cut);
        assertThatThrownBy(() -> records.deserialize("t", truncated))
            .as("cut at %d", cut)
            .isInstanceOf(SerializationException.class);
      }
    }
  }
}
