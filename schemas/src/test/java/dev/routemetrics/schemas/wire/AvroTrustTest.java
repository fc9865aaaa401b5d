package dev.routemetrics.schemas.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.FeedbackKind;
import dev.routemetrics.events.FeedbackSource;
import dev.routemetrics.events.QuarantineReason;
import dev.routemetrics.events.Route;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.WindowSize;
import dev.routemetrics.schemas.access.ApiKeys;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.time.Instant;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.util.ClassSecurityValidator;
import org.junit.jupiter.api.Test;

/**
 * Avro 1.12.2 builds a class named by a schema only when it trusts it; AvroSerde declares our
 * generated records' packages trusted when it loads. Without that declaration this test fails (the
 * first assertion on the global validator), as AvroSerdeTest and SchemaEvolutionTest did.
 */
class AvroTrustTest {

  @Test
  void shouldTrustOurGeneratedRecordsAndEnumsAndNothingElse() {
    // Avro's own default refuses them: the reason for the declaration.
    assertThat(ClassSecurityValidator.DEFAULT.isTrusted(UsageEvent.class)).isFalse();

    AvroSerde.of(UsageEvent.class); // loads AvroSerde, which declares the trust once
    ClassSecurityValidator.ClassSecurityPredicate trusted = ClassSecurityValidator.getGlobal();

    for (Class<?> ours :
        List.of(
            UsageEvent.class,
            FeedbackKind.class,
            QuarantineReason.class,
            Route.class,
            ChannelWindowMetrics.class,
            WindowSize.class)) {
      assertThat(trusted.isTrusted(ours)).as("%s is trusted", ours.getName()).isTrue();
    }
    for (Class<?> other :
        List.of(
            ApiKeys.class,
            AvroSerde.class,
            dev.routemetrics.schemas.windows.WindowSize.class,
            File.class,
            ProcessBuilder.class)) {
      assertThat(trusted.isTrusted(other)).as("%s is not trusted", other.getName()).isFalse();
    }
    assertThat(trusted.isTrusted(String.class)).as("Avro's defaults are kept").isTrue();
  }

  @Test
  void shouldLetAvrosOwnSpecificReaderBuildOurRecordsAndEnumsByName() throws Exception {
    AvroSerde.of(FeedbackEvent.class);
    FeedbackEvent event =
        FeedbackEvent.newBuilder()
            .setEventId("e1")
            .setEventTime(Instant.parse("2026-11-20T12:00:00Z"))
            .setChannelId("consumer-app")
            .setAccountId("a1")
            .setEndUserRef(null)
            .setModelId("m1")
            .setFeedbackId("f1")
            .setRequestId("r1")
            .setKind(FeedbackKind.THUMBS_UP)
            .setScore(null)
            .setTrainable(true)
            .setSource(FeedbackSource.END_USER)
            .build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    BinaryEncoder out = EncoderFactory.get().binaryEncoder(bytes, null);
    new SpecificDatumWriter<>(FeedbackEvent.class).write(event, out);
    out.flush();

    // SpecificDatumReader finds FeedbackEvent, FeedbackKind and FeedbackSource by their names.
    FeedbackEvent read =
        new SpecificDatumReader<>(FeedbackEvent.class)
            .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));

    assertThat(read).isEqualTo(event);
  }
}
