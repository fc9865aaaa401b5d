package dev.routemetrics.ingest;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Makes accepted events durable: a future completes only once every in-sync replica has the record
 * (acks=all, idempotent producer), so the edge answers 2xx only for what Kafka holds.
 */
public final class EventPublisher implements AutoCloseable {

  private final Producer<String, byte[]> producer;

  public EventPublisher(String bootstrap, int ackTimeoutMs) {
    this(
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                ProducerConfig.COMPRESSION_TYPE_CONFIG,
                "lz4",
                // send() blocks for metadata; when the broker is down the client should hear 503
                // soon, not hang.
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                Math.min(ackTimeoutMs, 5_000),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                Math.min(ackTimeoutMs, 5_000) - 5,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                ackTimeoutMs,
                ProducerConfig.CLIENT_ID_CONFIG,
                "routemetrics-ingest"),
            new StringSerializer(),
            new ByteArraySerializer()));
  }

  EventPublisher(Producer<String, byte[]> producer) {
    this.producer = producer;
  }

  /**
   * Publishes one record; the record's timestamp is the event time. Events are keyed by their
   * event_id: every copy of an id (a retry, a replay, a conflicting payload) lands on the same
   * partition, where the metrics topology deduplicates it without another repartition. The future
   * fails with the producer's exception when Kafka did not take it.
   */
  // The send's callback completes `acked`, the future this returns; the send's own says the same.
  @SuppressWarnings("FutureReturnValueIgnored")
  public CompletableFuture<RecordMetadata> publish(
      String topic, String key, long eventTimeMs, byte[] value) {
    CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
    try {
      producer.send(
          new ProducerRecord<>(topic, null, eventTimeMs, key, value),
          (metadata, error) -> {
            if (error != null) {
              acked.completeExceptionally(error);
            } else {
              acked.complete(metadata);
            }
          });
    } catch (RuntimeException e) {
      acked.completeExceptionally(e);
    }
    return acked;
  }

  @Override
  public void close() {
    producer.close();
  }
}
