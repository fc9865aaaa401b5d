package dev.routemetrics.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.Route;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.WindowSize;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaIncompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
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

  /**
   * The one exception to the rule below, field by field. Schema v3 made {@code window_size} and
   * {@code route} of the two metric records Avro enums ({@code WindowSize}, and {@code Route},
   * nullable: null for a channel the registry never knew) where v1 and v2 had strings. Avro
   * resolves no string against an enum, either way ({@code SchemaCompatibility}: TYPE_MISMATCH, and
   * MISSING_UNION_BRANCH for the nullable reader), so for these two fields neither a v3 reader
   * reads v1/v2 records nor the other way round. Accepted because the metrics topics are derived
   * data ({@code deploy/rebuild.sh} derives them again from the event log under a new generation)
   * and their one reader, the sink, does not resolve schemas: it reads every released version by
   * its writer's fingerprint ({@code ChannelMetricsRows}, {@code ChannelRevenueRecords}; their
   * tests show a v1 or v2 record becomes the same row as its v3 twin).
   */
  private static final Map<String, Set<String>> RETYPED_IN_V3 =
      Map.of(
          "dev.routemetrics.metrics.ChannelWindowMetrics", Set.of("window_size", "route"),
          "dev.routemetrics.metrics.ChannelWindowRevenue", Set.of("window_size", "route"));

  private static final int RETYPED_IN_VERSION = 3;

  /**
   * Records released once and retired since, with their topic: nothing writes or reads them any
   * more, so no reader of their old records is left to keep compatible. ChannelWindowRequests was
   * the walking skeleton's requests per minute; its topic and table went in v3 (migration 011), and
   * the same figures are channel_metrics' MINUTE rows.
   */
  private static final Map<String, Integer> RETIRED_IN =
      Map.of("dev.routemetrics.metrics.ChannelWindowRequests", 3);

  /** Where SchemaCompatibility locates a field's type: {@code /fields/<reader position>/type}. */
  private static final Pattern FIELD_LOCATION = Pattern.compile("/fields/(\\d+)/type");

  @Test
  void shouldKeepEveryCurrentSchemaBackwardAndForwardCompatibleWithEveryReleasedVersion()
      throws Exception {
    Map<String, Schema> current = SchemaFiles.parse(SchemaFiles.CURRENT);
    assertThat(SchemaFiles.releasedVersions()).as("released versions").isNotEmpty();
    int exceptions = 0;
    for (Path version : SchemaFiles.releasedVersions()) {
      for (Map.Entry<String, Schema> released : SchemaFiles.parse(version).entrySet()) {
        Schema now = current.get(released.getKey());
        Integer retiredIn = RETIRED_IN.get(released.getKey());
        if (retiredIn != null) {
          assertThat(now).as("%s is retired: no current schema", released.getKey()).isNull();
          assertThat(SchemaFiles.version(version))
              .as("%s released in %s, before it was retired", released.getKey(), version)
              .isLessThan(retiredIn);
          continue;
        }
        assertThat(now)
            .as(
                "%s of %s still exists (released schemas are kept forever)",
                released.getKey(), version)
            .isNotNull();
        Set<String> retyped =
            SchemaFiles.version(version) < RETYPED_IN_VERSION
                ? RETYPED_IN_V3.getOrDefault(released.getKey(), Set.of())
                : Set.of();
        if (!retyped.isEmpty()) {
          exceptions++;
          assertOnlyFieldsIncompatible(now, released.getValue(), retyped, version);
          continue;
        }
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
    assertThat(exceptions).as("the two metric records in v1 and v2").isEqualTo(4);
  }

  /**
   * Incompatible both ways in exactly {@code fields} and nowhere else: each incompatibility sits
   * under one of them, and the current schema with those fields given their released type back is
   * compatible both ways.
   */
  private static void assertOnlyFieldsIncompatible(
      Schema now, Schema released, Set<String> fields, Path version) throws Exception {
    String name = now.getFullName();
    assertThat(incompatibleFields(now, released))
        .as("backward: the fields of current %s that cannot read %s", name, version)
        .isEqualTo(fields);
    assertThat(incompatibleFields(released, now))
        .as("forward: the fields of %s of %s that cannot read the current schema", name, version)
        .isEqualTo(fields);
    Schema typedBack =
        evolve(
            now,
            json -> {
              for (JsonNode field : json) {
                if (fields.contains(field.get("name").asText())) {
                  ObjectNode edited = (ObjectNode) field;
                  edited.set(
                      "type",
                      JSON.readTree(
                          released.getField(field.get("name").asText()).schema().toString()));
                  edited.remove("default");
                }
              }
            });
    assertThat(compatibility(typedBack, released))
        .as("backward: current %s but for %s reads %s", name, fields, version)
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    assertThat(compatibility(released, typedBack))
        .as("forward: %s of %s reads current %s but for %s", name, version, name, fields)
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  /** The reader's fields whose type cannot read the writer's, from where Avro locates each. */
  private static Set<String> incompatibleFields(Schema reader, Schema writer) {
    SchemaCompatibility.SchemaCompatibilityResult result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
    Set<String> fields = new TreeSet<>();
    for (SchemaCompatibility.Incompatibility incompatibility : result.getIncompatibilities()) {
      Matcher at = FIELD_LOCATION.matcher(incompatibility.getLocation());
      assertThat(at.lookingAt())
          .as("%s at %s", incompatibility.getType(), incompatibility.getLocation())
          .isTrue();
      assertThat(incompatibility.getType())
          .as("at %s", incompatibility.getLocation())
          .isIn(
              SchemaIncompatibilityType.TYPE_MISMATCH,
              SchemaIncompatibilityType.MISSING_UNION_BRANCH);
      fields.add(reader.getFields().get(Integer.parseInt(at.group(1))).name());
    }
    return fields;
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
   * v2 of ChannelWindowMetrics adds feedback_received and trainable_received (default 0): a reader
   * of v2 reads a v1 record as having received nothing, a reader still on v1 reads a v2 record
   * without them. (Generic records of the released files: the generated class is v3's.)
   */
  @Test
  void shouldReadChannelWindowMetricsAcrossV1AndV2BothWays() throws Exception {
    Schema v1 = released("v1", ChannelWindowMetrics.getClassSchema().getFullName());
    Schema v2 = released("v2", ChannelWindowMetrics.getClassSchema().getFullName());
    assertThat(v1.getField("feedback_received")).as("v1 has no feedback_received").isNull();
    byte[] v2Bytes =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2)
            .encode(channelWindowBeforeV3(v2, 5, 3))
            .array();

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

    // Backward: that record written again with v1, read by a v2 reader, gets the defaults.
    byte[] v1Bytes =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(readByV1).array();
    BinaryMessageDecoder<GenericRecord> v2Reader =
        new BinaryMessageDecoder<>(GenericData.get(), v2);
    v2Reader.addSchema(v1);
    GenericRecord readByV2 = v2Reader.decode(v1Bytes);
    assertThat(readByV2.get("feedback_received")).as("feedback_received's default").isEqualTo(0L);
    assertThat(readByV2.get("trainable_received")).as("trainable_received's default").isEqualTo(0L);
    assertThat(readByV2).isEqualTo(channelWindowBeforeV3(v2, 0, 0));
  }

  /**
   * What the exception above means on the wire: a reader resolving schemas fails on a record of the
   * other side of v3, both ways, and says why; only a reader that takes each record with its own
   * writer's schema, as the sink does, reads both.
   */
  @Test
  void shouldRefuseToResolveTheMetricRecordsAcrossV3() throws Exception {
    Schema v2 = released("v2", ChannelWindowMetrics.getClassSchema().getFullName());
    byte[] v2Bytes =
        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2)
            .encode(channelWindowBeforeV3(v2, 5, 3))
            .array();
    byte[] v3Bytes = AvroSerde.of(ChannelWindowMetrics.class).encode(channelWindow(5, 3));

    assertThatThrownBy(
            () -> AvroSerde.of(ChannelWindowMetrics.class).alsoReading(v2).decode(v2Bytes))
        .as("a v3 reader resolving a v2 record")
        .hasRootCauseInstanceOf(AvroTypeException.class)
        .hasMessageContaining("ChannelWindowMetrics");
    BinaryMessageDecoder<GenericRecord> v2Reader =
        new BinaryMessageDecoder<>(GenericData.get(), v2);
    v2Reader.addSchema(ChannelWindowMetrics.getClassSchema());
    assertThatThrownBy(() -> v2Reader.decode(v3Bytes))
        .as("a v2 reader resolving a v3 record")
        .isInstanceOf(AvroTypeException.class);

    // Each with its own writer's schema: the same window.
    GenericRecord v2Record =
        new BinaryMessageDecoder<GenericRecord>(GenericData.get(), v2).decode(v2Bytes);
    ChannelWindowMetrics v3Record = AvroSerde.of(ChannelWindowMetrics.class).decode(v3Bytes);
    assertThat(v2Record.get("window_size").toString()).isEqualTo("HOUR");
    assertThat(v3Record.getWindowSize()).isEqualTo(WindowSize.HOUR);
    assertThat(v2Record.get("route").toString()).isEqualTo("VERTICAL_WORKFLOW");
    assertThat(v3Record.getRoute()).isEqualTo(Route.VERTICAL_WORKFLOW);
  }

  /** One HOUR row: 10 requests, 4 feedback events about them (2 trainable, 3 requests covered). */
  private static ChannelWindowMetrics channelWindow(long feedbackReceived, long trainableReceived) {
    Instant start = Instant.parse("2026-11-20T10:00:00Z");
    return ChannelWindowMetrics.newBuilder()
        .setChannelId("vertical-lexdraft")
        .setWindowSize(WindowSize.HOUR)
        .setWindowStart(start)
        .setVersion(7)
        .setRoute(Route.VERTICAL_WORKFLOW)
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

  /** The same row as a record of a released schema before v3 (strings; no conversions). */
  private static GenericRecord channelWindowBeforeV3(
      Schema schema, long feedbackReceived, long trainableReceived) {
    GenericRecordBuilder row =
        new GenericRecordBuilder(schema)
            .set("channel_id", "vertical-lexdraft")
            .set("window_size", "HOUR")
            .set("window_start", Instant.parse("2026-11-20T10:00:00Z").toEpochMilli())
            .set("version", 7L)
            .set("route", "VERTICAL_WORKFLOW")
            .set("partner_id", "lexdraft")
            .set("control_points_owned", 0)
            .set("usage_events", 10L)
            .set("requests", 10L)
            .set("input_tokens", 1000L)
            .set("output_tokens", 500L)
            .set("active_accounts", 1L)
            .set("visible_end_users", 3L)
            .set("identified_requests", 3L)
            .set("error_requests", 1L)
            .set("latency_p50_ms", 600.0)
            .set("latency_p95_ms", 900.0)
            .set("latency_p99_ms", 1200.0)
            .set("full_telemetry_requests", 2L)
            .set("feedback_events", 4L)
            .set("trainable_feedback", 2L)
            .set("covered_requests", 3L)
            .set("newest_event_time", Instant.parse("2026-11-20T10:50:00Z").toEpochMilli());
    if (schema.getField("feedback_received") != null) {
      row.set("feedback_received", feedbackReceived).set("trainable_received", trainableReceived);
    }
    return row.build();
  }

  private static Schema released(String version, String fullName) throws Exception {
    return SchemaFiles.parse(SchemaFiles.RELEASED.resolve(version)).get(fullName);
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
