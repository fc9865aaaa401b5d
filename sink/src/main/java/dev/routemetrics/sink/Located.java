package dev.routemetrics.sink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A decoded record with its place in Kafka and its timestamp, for the writers that keep where a
 * record arrived (event_arrivals, quarantined_copies, dead_letters) and not only what it said.
 *
 * @param source the value of the header {@code routemetrics.source} (the streams app's quarantine
 *     records: where the set-aside copy was read), or null
 */
public record Located<V>(
    V value, String topic, int partition, long offset, long timestampMillis, String source) {

  /** The streams app's header naming a quarantined copy's place: {@code topic/partition@offset}. */
  public static final String SOURCE_HEADER = "routemetrics.source";

  /**
   * {@code values} as if read in this order from partition 0 of {@code topic}, offsets 0, 1, ...:
   * for tests and tools.
   */
  public static <V> List<Located<V>> inOrder(String topic, List<V> values) {
    List<Located<V>> out = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      out.add(new Located<>(values.get(i), topic, 0, i, 0L, null));
    }
    return out;
  }

  /**
   * A {@link SinkWorker} decoder that sees the whole record; {@code deserialize} is never called.
   */
  interface Decoder<V> extends Deserializer<V> {
    V decode(ConsumerRecord<String, byte[]> record);

    @Override
    default V deserialize(String topic, byte[] data) {
      throw new UnsupportedOperationException("decoded with its record, by decode");
    }
  }

  /** Decodes each value with {@code values} and keeps where it came from. */
  static <T extends SpecificRecord> Decoder<Located<T>> decoder(Deserializer<T> values) {
    return record -> {
      T value = values.deserialize(record.topic(), record.value());
      if (value == null) {
        return null;
      }
      Header header = record.headers().lastHeader(SOURCE_HEADER);
      return new Located<>(
          value,
          record.topic(),
          record.partition(),
          record.offset(),
          record.timestamp(),
          header == null || header.value() == null
              ? null
              : new String(header.value(), StandardCharsets.UTF_8));
    };
  }
}
