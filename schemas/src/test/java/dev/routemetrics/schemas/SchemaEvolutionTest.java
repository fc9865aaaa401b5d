package dev.routemetrics.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * Producers and consumers upgrade one at a time, so every schema must stay readable both ways
 * against every released version: a new reader reads old records (backward) and an old reader reads
 * new records (forward).
 */
class SchemaEvolutionTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void shouldKeepEveryCurrentSchemaBackwardAndForwardCompatibleWithEveryReleasedVersion()
      throws Exception {
    Map<String, Schema> current = SchemaFiles.parse(SchemaFiles.CURRENT);
    assertThat(SchemaFiles.releasedVersions()).as("released versions").isNotEmpty();
    for (Path version : SchemaFiles.releasedVersions()) {
      for (Map.Entry<String, Schema> released : SchemaFiles.parse(version).entrySet()) {
        Schema now = current.get(released.getKey());
        assertThat(now)
            .as(
                "%s of %s still exists (released schemas are kept forever)",
                released.getKey(), version)
            .isNotNull();
        assertThat(compatibility(now, released.getValue()))
            .as("backward: current %s reads records written with %s", released.getKey(), version)
            .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(compatibility(released.getValue(), now))
            .as(
                "forward: %s of %s reads records written with the current schema",
                released.getKey(), version)
            .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
      }
    }
  }

  @Test
  void shouldReleaseEveryCurrentSchema() throws Exception {
    Map<String, Schema> current = SchemaFiles.parse(SchemaFiles.CURRENT);
    Map<String, Schema> latest =
        SchemaFiles.parse(
            SchemaFiles.releasedVersions().get(SchemaFiles.releasedVersions().size() - 1));
    assertThat(latest.keySet()).containsAll(current.keySet());
  }

  @Test
  void shouldFindRemovingAFieldWithoutADefaultIncompatible() throws Exception {
    Schema v1 =
        SchemaFiles.parse(SchemaFiles.RELEASED.resolve("v1"))
            .get(UsageEvent.getClassSchema().getFullName());
    Schema withoutRequestId =
        evolve(
            v1,
            fields -> {
              for (int i = 0; i < fields.size(); i++) {
                if (fields.get(i).get("name").asText().equals("request_id")) {
                  fields.remove(i);
                  return;
                }
              }
            });
    // A new reader without the field still reads old records, but an old reader cannot fill
    // request_id.
    assertThat(compatibility(withoutRequestId, v1)).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    assertThat(compatibility(v1, withoutRequestId)).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
  }

  @Test
  void shouldLetAnOldReaderReadARecordWrittenWithANewerSchema() throws Exception {
    Schema v1 = UsageEvent.getClassSchema();
    Schema v2 = withRegion(v1);
    GenericRecord written =
        copyInto(
            v2,
            new BinaryMessageDecoder<GenericRecord>(GenericData.get(), v1)
                .decode(AvroSerde.of(UsageEvent.class).encode(AvroSerdeTest.sample())));
    written.put("region", "eu-west");
    byte[] newBytes =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(written).array();

    UsageEvent read = AvroSerde.of(UsageEvent.class).alsoReading(v2).decode(newBytes);

    assertThat(read).isEqualTo(AvroSerdeTest.sample());
  }

  @Test
  void shouldLetANewReaderReadARecordWrittenWithAnOlderSchemaFillingTheDefault() throws Exception {
    Schema v1 = BillingEvent.getClassSchema();
    Schema v2 = withRegion(v1);
    byte[] oldBytes = AvroSerde.of(BillingEvent.class).encode(Samples.partnerCharge());

    BinaryMessageDecoder<GenericRecord> newReader =
        new BinaryMessageDecoder<>(GenericData.get(), v2);
    newReader.addSchema(v1);
    GenericRecord read = newReader.decode(oldBytes);

    assertThat(read.get("billing_id").toString()).isEqualTo("nimbus-inv-1");
    assertThat(read.get("region")).as("the new field's default").isNull();
  }

  /**
   * v2 of ChannelWindowMetrics adds feedback_received and trainable_received (default 0): a sink on
   * v2 reads a v1 record as having received nothing, a sink still on v1 reads a v2 record without
   * them.
   */
  @Test
  void shouldReadChannelWindowMetricsAcrossV1AndV2BothWays() throws Exception {
    Schema v1 =
        SchemaFiles.parse(SchemaFiles.RELEASED.resolve("v1"))
            .get(ChannelWindowMetrics.getClassSchema().getFullName());
    Schema v2 =
        SchemaFiles.parse(SchemaFiles.RELEASED.resolve("v2"))
            .get(ChannelWindowMetrics.getClassSchema().getFullName());
    assertThat(v1.getField("feedback_received")).as("v1 has no feedback_received").isNull();
    ChannelWindowMetrics current = channelWindow(5, 3);
    byte[] v2Bytes = AvroSerde.of(ChannelWindowMetrics.class).encode(current);

    // Forward: a v1 reader meets a v2 record and drops the two fields it does not know.
    BinaryMessageDecoder<GenericRecord> v1Reader =
        new BinaryMessageDecoder<>(GenericData.get(), v1);
    v1Reader.addSchema(v2);
    GenericRecord readByV1 = v1Reader.decode(v2Bytes);
    assertThat(readByV1.getSchema().getField("feedback_received")).isNull();
    assertThat(readByV1.get("feedback_events")).isEqualTo(4L);
    assertThat(readByV1.get("trainable_feedback")).isEqualTo(2L);
    assertThat(readByV1.get("covered_requests")).isEqualTo(3L);
    assertThat(readByV1.get("channel_id").toString()).isEqualTo("vertical-lexdraft");

    // Backward: that record written again with v1, read by the current class, gets the defaults.
    byte[] v1Bytes =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(readByV1).array();
    ChannelWindowMetrics readByV2 =
        AvroSerde.of(ChannelWindowMetrics.class).alsoReading(v1).decode(v1Bytes);
    assertThat(readByV2.getFeedbackReceived()).as("feedback_received's default").isZero();
    assertThat(readByV2.getTrainableReceived()).as("trainable_received's default").isZero();
    assertThat(readByV2).isEqualTo(channelWindow(0, 0));
  }

  /** One HOUR row: 10 requests, 4 feedback events about them (2 trainable, 3 requests covered). */
  private static ChannelWindowMetrics channelWindow(long feedbackReceived, long trainableReceived) {
    Instant start = Instant.parse("2026-11-20T10:00:00Z");
    return ChannelWindowMetrics.newBuilder()
        .setChannelId("vertical-lexdraft")
        .setWindowSize("HOUR")
        .setWindowStart(start)
        .setVersion(7)
        .setRoute("VERTICAL_WORKFLOW")
        .setPartnerId("lexdraft")
        .setControlPointsOwned(0)
        .setUsageEvents(10)
        .setRequests(10)
        .setInputTokens(1000)
        .setOutputTokens(500)
        .setActiveAccounts(1)
        .setVisibleEndUsers(3)
        .setIdentifiedRequests(3)
        .setErrorRequests(1)
        .setLatencyP50Ms(600.0)
        .setLatencyP95Ms(900.0)
        .setLatencyP99Ms(1200.0)
        .setFullTelemetryRequests(2)
        .setFeedbackEvents(4)
        .setTrainableFeedback(2)
        .setCoveredRequests(3)
        .setNewestEventTime(start.plusSeconds(3000))
        .setFeedbackReceived(feedbackReceived)
        .setTrainableReceived(trainableReceived)
        .build();
  }

  private static SchemaCompatibilityType compatibility(Schema reader, Schema writer) {
    return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType();
  }

  /** The schema with one more field, nullable with a default: the only kind of change we allow. */
  private static Schema withRegion(Schema schema) throws Exception {
    return evolve(
        schema,
        fields -> {
          ObjectNode region = fields.addObject().put("name", "region").put("doc", "test field");
          region.set("type", JSON.readTree("[\"null\", \"string\"]"));
          region.putNull("default");
        });
  }

  private interface FieldEdit {
    void apply(ArrayNode fields) throws Exception;
  }

  private static Schema evolve(Schema schema, FieldEdit edit) throws Exception {
    ObjectNode json = (ObjectNode) JSON.readTree(schema.toString());
    edit.apply((ArrayNode) json.get("fields"));
    return new Schema.Parser().parse(json.toString());
  }

  private static GenericRecord copyInto(Schema schema, GenericRecord from) {
    GenericData.Record to = new GenericData.Record(schema);
    for (Schema.Field field : from.getSchema().getFields()) {
      to.put(field.name(), from.get(field.name()));
    }
    return to;
  }
}
