package dev.routemetrics.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.routemetrics.schemas.topics.Topics;
import java.time.Instant;
import org.apache.avro.Schema;

/**
 * One family of events (usage, billing, feedback) as the edge sees it: how to read it and where it
 * goes.
 */
public interface EventFamily<T> {

  /** The family's name in URLs and metrics: {@code POST /v1/events/{name}}. */
  String name();

  String topic(Topics topics);

  /** The Avro schema of the family's events: tells a CSV reader which columns are numbers. */
  Schema schema();

  /**
   * The Avro record for one JSON event, or {@link InvalidEventException} naming every bad field.
   */
  T parse(JsonNode json);

  String eventId(T event);

  String channelId(T event);

  Instant eventTime(T event);

  /** The record in the Kafka wire format (Avro single-object encoding). */
  byte[] encode(T event);
}
