package dev.routemetrics.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.FeedbackKind;
import dev.routemetrics.events.FeedbackSource;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

/** Keeps the worked byte example in schemas/README.md true to the code. */
class WireFormatExampleTest {

  private static final String DOCUMENTED =
      "C3 01 17 2C 9A 67 03 63 D2 95 04 65 31 80 A8 9F 8D BF 68 18 63 6F 6E 73 75 6D 65 72"
          + " 2D 61 70 70 04 61 31 02 04 75 31 04 6D 31 04 66 31 02 04 72 31 02 00 01 00";

  @Test
  void shouldEncodeTheReadmeExampleToTheDocumentedBytes() throws Exception {
    FeedbackEvent example =
        new FeedbackEvent(
            "e1",
            Instant.parse("2026-11-20T12:00:00Z"),
            "consumer-app",
            "a1",
            "u1",
            "m1",
            "f1",
            "r1",
            FeedbackKind.THUMBS_UP,
            null,
            true,
            FeedbackSource.END_USER);

    String hex =
        HexFormat.ofDelimiter(" ")
            .withUpperCase()
            .formatHex(AvroSerde.of(FeedbackEvent.class).encode(example));

    assertThat(hex).isEqualTo(DOCUMENTED);
    assertThat(Files.readString(Path.of("README.md")).replaceAll("\\s+", " "))
        .as("README rows, joined")
        .contains("C3 01 ")
        .contains("17 2C 9A 67 03 63 D2 95 ")
        .contains("80 A8 9F 8D BF 68 ");
  }

  @Test
  void shouldWriteADecimalAsItsUnscaledTwosComplementBytes() {
    Schema money = LogicalTypes.decimal(18, 4).addToSchema(Schema.create(Schema.Type.BYTES));
    ByteBuffer bytes =
        new Conversions.DecimalConversion()
            .toBytes(new BigDecimal("12.5000"), money, money.getLogicalType());
    // 125000 = 0x01E848
    assertThat(
            HexFormat.of()
                .withUpperCase()
                .formatHex(
                    bytes.array(),
                    bytes.arrayOffset() + bytes.position(),
                    bytes.arrayOffset() + bytes.limit()))
        .isEqualTo("01E848");
  }

  @Test
  void shouldListEveryCurrentSchemasFingerprintInTheReadme() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    for (Schema schema : SchemaFiles.parse(SchemaFiles.CURRENT).values()) {
      if (schema.getType() == Schema.Type.RECORD) {
        String row =
            String.format(
                "| %s | `%016X` |",
                schema.getName(), SchemaNormalization.parsingFingerprint64(schema));
        assertThat(readme).as("README fingerprint row of %s", schema.getName()).contains(row);
      }
    }
  }
}
