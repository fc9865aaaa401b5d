package dev.routemetrics.sink;

import dev.routemetrics.events.Route;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.schemas.windows.WindowSize;
import dev.routemetrics.schemas.wire.AvroSerde;
import dev.routemetrics.schemas.wire.ReleasedSchemas;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads a {@code channel-revenue} record of any released version into the current {@link
 * ChannelWindowRevenue}, each with its own writer's schema, picked by the fingerprint the record
 * carries: Avro cannot resolve v1/v2's string {@code window_size} and {@code route} against v3's
 * enums (schemas/README.md, "v3, the one exception"), so a v1/v2 record is decoded with the
 * released schema itself and its strings mapped to the symbols: {@code UNKNOWN}, what v1 and v2
 * wrote for a channel the registry never knew, to no route, as v3 writes it. So a record of any
 * version becomes the same row.
 *
 * <p>A value that decodes but names no window size or route of ours (v3's {@code UNKNOWN} window
 * size, a string that is no symbol) is an {@link IllegalArgumentException}, set aside by the worker
 * as out of range; a record of an unknown schema, or not Avro, is a {@link SerializationException}
 * (undecodable). Both are kept in {@code sink_rejected_records}, never dropped silently.
 */
public final class ChannelRevenueRecords implements Deserializer<ChannelWindowRevenue> {

  /** CRC-64-AVRO fingerprint of ChannelWindowRevenue v1 and v2 (the same schema). */
  static final long V1_V2_FINGERPRINT = 0xCF153791E4F762FFL;

  private final AvroSerde<ChannelWindowRevenue> current = AvroSerde.of(ChannelWindowRevenue.class);
  private final long currentFingerprint =
      SchemaNormalization.parsingFingerprint64(ChannelWindowRevenue.getClassSchema());
  private final GenericDatumReader<GenericRecord> beforeV3;

  public ChannelRevenueRecords() {
    Schema v2 = ReleasedSchemas.of("v2", "ChannelWindowRevenue");
    if (SchemaNormalization.parsingFingerprint64(v2) != V1_V2_FINGERPRINT
        || ReleasedSchemas.fingerprint("v1", "ChannelWindowRevenue") != V1_V2_FINGERPRINT) {
      throw new IllegalStateException("ChannelWindowRevenue v1/v2 is not what this class reads");
    }
    // Decimals as BigDecimal and times as Instant, as the generated class has them.
    GenericData model = new GenericData();
    model.addLogicalTypeConversion(new Conversions.DecimalConversion());
    model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    this.beforeV3 = new GenericDatumReader<>(v2, v2, model);
  }

  @Override
  public ChannelWindowRevenue deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (!AvroSerde.isSingleObject(data)) {
      throw new SerializationException(
          "cannot decode ChannelWindowRevenue: not in Avro single-object encoding");
    }
    long written = AvroSerde.writerFingerprint(data);
    if (written == currentFingerprint) {
      ChannelWindowRevenue row = current.decode(data);
      WindowSize.of(row.getWindowSize()); // UNKNOWN is none of ours: out of range
      return row;
    }
    if (written == V1_V2_FINGERPRINT) {
      return fromBeforeV3(data);
    }
    throw new SerializationException(
        String.format(
            "cannot decode ChannelWindowRevenue: written with an unknown schema (fingerprint"
                + " %016x)",
            written));
  }

  private ChannelWindowRevenue fromBeforeV3(byte[] data) {
    GenericRecord r;
    try {
      r =
          beforeV3.read(
              null,
              DecoderFactory.get()
                  .binaryDecoder(
                      data, AvroSerde.HEADER_BYTES, data.length - AvroSerde.HEADER_BYTES, null));
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot decode ChannelWindowRevenue (v1/v2): " + e.getMessage(), e);
    }
    String route = r.get("route").toString();
    Object partner = r.get("partner_id");
    return ChannelWindowRevenue.newBuilder()
        .setChannelId(r.get("channel_id").toString())
        .setWindowSize(WindowSize.valueOf(r.get("window_size").toString()).symbol())
        .setWindowStart((Instant) r.get("window_start"))
        .setCurrency(r.get("currency").toString())
        .setRoute(route.equals(ChannelMetricsRows.NO_ROUTE) ? null : Route.valueOf(route))
        .setPartnerId(partner == null ? null : partner.toString())
        .setVersion((Long) r.get("version"))
        .setBillingEvents((Long) r.get("billing_events"))
        .setGross((BigDecimal) r.get("gross"))
        .setNetWhereGrossKnown((BigDecimal) r.get("net_where_gross_known"))
        .setPartnerFee((BigDecimal) r.get("partner_fee"))
        .setNet((BigDecimal) r.get("net"))
        .setNetBilledByLab((BigDecimal) r.get("net_billed_by_lab"))
        .build();
  }
}
