package dev.routemetrics.simulator;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * An event in the JSON form the ingest API takes: the Avro field names, times as ISO-8601 UTC
 * strings, money as decimal strings (so no JSON parser turns it into a float), enums by name.
 */
public final class EventJson {

  private static final ObjectMapper JSON = new ObjectMapper();

  private EventJson() {}

  /** Writes {@code event} as one JSON object. */
  public static void write(JsonGenerator out, SpecificRecord event) throws IOException {
    out.writeStartObject();
    for (Schema.Field field : event.getSchema().getFields()) {
      Object value = event.get(field.pos());
      out.writeFieldName(field.name());
      if (value == null) {
        out.writeNull();
      } else if (value instanceof CharSequence
          || value instanceof Enum<?>
          || value instanceof Instant) {
        out.writeString(value.toString());
      } else if (value instanceof BigDecimal money) {
        out.writeString(money.toPlainString());
      } else if (value instanceof Long number) {
        out.writeNumber(number);
      } else if (value instanceof Integer number) {
        out.writeNumber(number);
      } else if (value instanceof Boolean flag) {
        out.writeBoolean(flag);
      } else {
        throw new IllegalArgumentException(
            field.name() + ": no JSON form for " + value.getClass().getName());
      }
    }
    out.writeEndObject();
  }

  public static String toJson(SpecificRecord event) {
    StringWriter text = new StringWriter(384);
    try (JsonGenerator out = JSON.getFactory().createGenerator(text)) {
      write(out, event);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /** The JSON form as a tree, for tests and for breaking it on purpose. */
  public static ObjectNode toTree(SpecificRecord event) {
    try {
      return (ObjectNode) JSON.readTree(toJson(event));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
