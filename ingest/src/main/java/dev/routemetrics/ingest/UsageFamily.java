package dev.routemetrics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.time.Instant;
import org.apache.avro.Schema;

/** Usage events: {@code POST /v1/events/usage} to the usage-events topic. */
public final class UsageFamily implements EventFamily<UsageEvent> {

  private final UsageEventParser parser;
  private final AvroSerde<UsageEvent> serde = AvroSerde.of(UsageEvent.class);

  public UsageFamily(UsageEventParser parser) {
    this.parser = parser;
  }

  @Override
  public String name() {
    return "usage";
  }

  @Override
  public String topic(Topics topics) {
    return topics.usageEvents;
  }

  @Override
  public Schema schema() {
    return UsageEvent.getClassSchema();
  }

  @Override
  public UsageEvent parse(JsonNode json) {
    return parser.parse(json);
  }

  @Override
  public String eventId(UsageEvent event) {
    return event.getEventId();
  }

  @Override
  public String channelId(UsageEvent event) {
    return event.getChannelId();
  }

  @Override
  public Instant eventTime(UsageEvent event) {
    return event.getEventTime();
  }

  @Override
  public byte[] encode(UsageEvent event) {
    return serde.encode(event);
  }
}
