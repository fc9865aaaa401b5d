package dev.routemetrics.schemas.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/** The released schemas as the jar ships them, against the fingerprints schemas/README.md lists. */
class ReleasedSchemasTest {

  @Test
  void shouldFindEachReleasedVersionOfTheMetricRecordsByItsPublishedFingerprint() {
    // The fingerprints as published when each version was released (schemas/README.md).
    assertThat(ReleasedSchemas.fingerprint("v1", "ChannelWindowMetrics"))
        .isEqualTo(0x730CAE507D9AFD4AL);
    assertThat(ReleasedSchemas.fingerprint("v2", "ChannelWindowMetrics"))
        .isEqualTo(0x9320ED320EB17616L);
    assertThat(ReleasedSchemas.fingerprint("v1", "ChannelWindowRevenue"))
        .isEqualTo(0xCF153791E4F762FFL);
    assertThat(ReleasedSchemas.fingerprint("v2", "ChannelWindowRevenue"))
        .isEqualTo(0xCF153791E4F762FFL);
    // v3 is the current schema, enums and all (the generated classes' schemas differ only in the
    // avro.java.string properties, which the fingerprint ignores).
    for (Schema current :
        new Schema[] {
          ChannelWindowMetrics.getClassSchema(), ChannelWindowRevenue.getClassSchema()
        }) {
      assertThat(ReleasedSchemas.fingerprint("v3", current.getName()))
          .as(current.getName())
          .isEqualTo(SchemaNormalization.parsingFingerprint64(current));
    }
    Schema v2 = ReleasedSchemas.of("v2", "ChannelWindowMetrics");
    assertThat(v2.getField("window_size").schema().getType()).isEqualTo(Schema.Type.STRING);
  }

  @Test
  void shouldSayWhichReleasedSchemaItDoesNotHave() {
    assertThatThrownBy(() -> ReleasedSchemas.of("v1", "NoSuchRecord"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/released/v1/NoSuchRecord.avsc");
  }
}
