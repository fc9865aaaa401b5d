package dev.routemetrics.simulator.output;

import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import dev.routemetrics.simulator.traffic.Delivery;
import dev.routemetrics.simulator.traffic.Family;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes deliveries straight to the event topics in the single-object encoding, as the edge would
 * after accepting them: keyed by event_id, timestamped with event_time. Malformed records cannot
 * exist as Avro, so they are skipped and counted: the edge would have rejected them.
 */
public final class KafkaEventSink implements EventSink {

  private final Producer<String, byte[]> producer;
  private final Topics topics;
  private final AvroSerde<UsageEvent> usage = AvroSerde.of(UsageEvent.class);
  private final AvroSerde<BillingEvent> billing = AvroSerde.of(BillingEvent.class);
  private final AvroSerde<FeedbackEvent> feedback = AvroSerde.of(FeedbackEvent.class);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private long skippedMalformed;

  public KafkaEventSink(String bootstrap, Topics topics) {
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
                20,
                ProducerConfig.BATCH_SIZE_CONFIG,
                256 * 1024,
                ProducerConfig.COMPRESSION_TYPE_CONFIG,
                "lz4",
                // One batch in flight per connection: a retried batch can then never be overtaken
                // by later ones. With five, twice on a topic created a moment before (clean-clone
                // runs of ChannelMetricsIT and SimulatedElasticitiesIT), a retry of sequence 0 came
                // after sequence 22 had been appended, the 4.4 broker answered
                // OUT_OF_ORDER_SEQUENCE_NUMBER to every retry, and the batch expired after 120 s.
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                1,
                ProducerConfig.CLIENT_ID_CONFIG,
                "routemetrics-simulator"),
            new StringSerializer(),
            new ByteArraySerializer()),
        topics);
  }

  public KafkaEventSink(Producer<String, byte[]> producer, Topics topics) {
    this.producer = producer;
    this.topics = topics;
  }

  @Override
  // The send's callback records a failure, which the next accept and close() throw.
  @SuppressWarnings("FutureReturnValueIgnored")
  public void accept(Delivery delivery) {
    if (failure.get() != null) {
      throw new IllegalStateException(
          "Kafka refused a record: " + failure.get().getMessage(), failure.get());
    }
    if (delivery.isMalformed()) {
      skippedMalformed++;
      return;
    }
    SpecificRecord event = delivery.event();
    // Keyed by event_id, as the ingest does: every copy of an id on one partition (see
    // EventPublisher).
    String eventId = event.get(event.getSchema().getField("event_id").pos()).toString();
    long eventTime =
        ((java.time.Instant) event.get(event.getSchema().getField("event_time").pos()))
            .toEpochMilli();
    producer.send(
        new ProducerRecord<>(topic(delivery.family()), null, eventTime, eventId, encode(event)),
        (metadata, error) -> {
          if (error != null) {
            failure.compareAndSet(null, error);
          } else {
            sent.incrementAndGet();
          }
        });
  }

  private String topic(Family family) {
    return switch (family) {
      case USAGE -> topics.usageEvents;
      case BILLING -> topics.billingEvents;
      case FEEDBACK -> topics.feedbackEvents;
    };
  }

  private byte[] encode(SpecificRecord event) {
    if (event instanceof UsageEvent e) {
      return usage.encode(e);
    } else if (event instanceof BillingEvent e) {
      return billing.encode(e);
    }
    return feedback.encode((FeedbackEvent) event);
  }

  @Override
  public String describe() {
    return "sent "
        + sent.get()
        + " records to "
        + topics.usageEvents
        + ", "
        + topics.billingEvents
        + " and "
        + topics.feedbackEvents
        + "; skipped "
        + skippedMalformed
        + " malformed (the edge rejects those)";
  }

  @Override
  public void close() {
    producer.flush();
    producer.close();
    if (failure.get() != null) {
      throw new IllegalStateException(
          "Kafka refused a record: " + failure.get().getMessage(), failure.get());
    }
  }
}
