package dev.routemetrics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.time.Instant;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * An event family described by its parser, its topic and how to read its envelope from the record.
 */
final class AvroFamily<T extends SpecificRecord> implements EventFamily<T> {

  private final String name;
  private final Function<Topics, String> topic;
  private final Schema schema;
  private final Function<JsonNode, T> parser;
  private final Function<T, String> eventId;
  private final Function<T, String> channelId;
  private final Function<T, Instant> eventTime;
  private final AvroSerde<T> serde;

  AvroFamily(
      String name,
      Class<T> type,
      Function<Topics, String> topic,
      Function<JsonNode, T> parser,
      Function<T, String> eventId,
      Function<T, String> channelId,
      Function<T, Instant> eventTime) {
    this.name = name;
    this.topic = topic;
    this.parser = parser;
    this.eventId = eventId;
    this.channelId = channelId;
    this.eventTime = eventTime;
    this.serde = AvroSerde.of(type);
    this.schema = org.apache.avro.specific.SpecificData.get().getSchema(type);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String topic(Topics topics) {
    return topic.apply(topics);
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public T parse(JsonNode json) {
    return parser.apply(json);
  }

  @Override
  public String eventId(T event) {
    return eventId.apply(event);
  }

  @Override
  public String channelId(T event) {
    return channelId.apply(event);
  }

  @Override
  public Instant eventTime(T event) {
    return eventTime.apply(event);
  }

  @Override
  public byte[] encode(T event) {
    return serde.encode(event);
  }
}
