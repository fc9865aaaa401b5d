package dev.routemetrics.ingest.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.UsageEvent;
import java.io.BufferedReader;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class RecordReaderTest {

  @Test
  void shouldTypeCsvCellsByTheFamilySchema() throws Exception {
    String csv =
        """
        event_id,event_time,channel_id,request_count,input_tokens,end_user_ref,model_id
        0042,2026-11-01T10:00:00Z,direct-api,3,120,,"frontier, fast"
        """;
    RecordReader reader =
        new RecordReader(
            new BufferedReader(new StringReader(csv)),
            RecordReader.Format.CSV,
            UsageEvent.getClassSchema());

    RecordReader.Item item = reader.next();

    assertThat(item.line()).isEqualTo(2);
    assertThat(item.json().get("event_id").isTextual())
        .as("an id of digits stays a string")
        .isTrue();
    assertThat(item.json().get("event_id").asText()).isEqualTo("0042");
    assertThat(item.json().get("request_count").isIntegralNumber()).isTrue();
    assertThat(item.json().get("input_tokens").asLong()).isEqualTo(120);
    assertThat(item.json().get("end_user_ref").isNull()).isTrue();
    assertThat(item.json().get("model_id").asText()).isEqualTo("frontier, fast");
    assertThat(reader.next()).isNull();
  }

  @Test
  void shouldSayWhyALineIsUnreadableAndGoOn() throws Exception {
    String ndjson = "{\"event_id\": \"a\"}\n\n{not json\n{\"event_id\": \"b\"}\n";
    RecordReader reader =
        new RecordReader(
            new BufferedReader(new StringReader(ndjson)),
            RecordReader.Format.NDJSON,
            UsageEvent.getClassSchema());

    assertThat(reader.next().json().get("event_id").asText()).isEqualTo("a");
    RecordReader.Item broken = reader.next();
    assertThat(broken.line()).isEqualTo(3);
    assertThat(broken.json()).isNull();
    assertThat(broken.unreadable()).startsWith("not valid JSON");
    assertThat(reader.next().json().get("event_id").asText()).isEqualTo("b");
  }
}
