package dev.routemetrics.query.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.routemetrics.query.Amounts;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * The JSON the query service and {@code routemetrics query --format json} write: instants as
 * ISO-8601 text, and every {@link BigDecimal} (the views hold money, and only money, as BigDecimal)
 * as a JSON string of the exact decimal at four places ({@link Amounts#exact}), never a JSON number
 * that a client would parse into a binary double: {@code "gross": "39763.5800"}.
 */
public final class Json {

  /** Thread-safe once configured; share it. */
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .registerModule(
              new SimpleModule("routemetrics-amounts")
                  .addSerializer(BigDecimal.class, new AmountSerializer()))
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private Json() {}

  private static final class AmountSerializer extends StdSerializer<BigDecimal> {
    AmountSerializer() {
      super(BigDecimal.class);
    }

    @Override
    public void serialize(BigDecimal amount, JsonGenerator json, SerializerProvider provider)
        throws IOException {
      json.writeString(Amounts.exact(amount));
    }
  }
}
