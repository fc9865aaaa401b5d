package dev.routemetrics.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** A schema is the contract other teams read: every record, enum and field says what it means. */
class SchemaDocumentationTest {

  @Test
  void shouldDocumentEveryRecordEnumAndField() throws Exception {
    for (Schema schema : SchemaFiles.parse(SchemaFiles.CURRENT).values()) {
      check(schema, new HashSet<>());
    }
  }

  private static void check(Schema schema, Set<String> seen) {
    switch (schema.getType()) {
      case RECORD -> {
        if (!seen.add(schema.getFullName())) {
          return;
        }
        assertThat(schema.getDoc()).as("doc of record %s", schema.getFullName()).isNotBlank();
        for (Schema.Field field : schema.getFields()) {
          assertThat(field.doc()).as("doc of %s.%s", schema.getName(), field.name()).isNotBlank();
          check(field.schema(), seen);
        }
      }
      case ENUM ->
          assertThat(schema.getDoc()).as("doc of enum %s", schema.getFullName()).isNotBlank();
      case UNION -> schema.getTypes().forEach(branch -> check(branch, seen));
      case ARRAY -> check(schema.getElementType(), seen);
      case MAP -> check(schema.getValueType(), seen);
      default -> {}
    }
  }
}
