package dev.routemetrics.schemas.registry;

import dev.routemetrics.events.ChannelRegistryChange;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.math.RoundingMode;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes the registry's history as {@link ChannelRegistryChange} events, keyed by channel id,
 * timestamped with the effective time. Publishing again is harmless: consumers keep one state per
 * {@code change_id}, and the history is a full log, so a re-publication only repeats facts.
 */
public final class ChannelRegistryPublisher implements AutoCloseable {

  private final Producer<String, ChannelRegistryChange> producer;
  private final String topic;

  public ChannelRegistryPublisher(String bootstrap, String topic) {
    this(
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.CLIENT_ID_CONFIG,
                "routemetrics-registry"),
            new StringSerializer(),
            AvroSerde.of(ChannelRegistryChange.class)),
        topic);
  }

  public ChannelRegistryPublisher(Producer<String, ChannelRegistryChange> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  /** Sends every change and waits until Kafka holds them all; returns how many. */
  public int publish(ChannelRegistry registry) throws InterruptedException {
    try {
      for (ChannelChange change : registry.changes()) {
        ChannelRegistryChange event = toEvent(change);
        producer
            .send(
                new ProducerRecord<>(
                    topic,
                    null,
                    event.getEffectiveFrom().toEpochMilli(),
                    event.getChannelId(),
                    event))
            .get();
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "cannot publish registry changes to " + topic + ": " + e.getCause().getMessage(),
          e.getCause());
    }
    return registry.changes().size();
  }

  /** The wire form of one change. */
  public static ChannelRegistryChange toEvent(ChannelChange change) {
    Channel channel = change.channel();
    return ChannelRegistryChange.newBuilder()
        .setChangeId(change.changeId())
        .setRegistryVersion(change.registryVersion())
        .setEffectiveFrom(change.effectiveFrom())
        .setChannelId(channel.id())
        .setRoute(channel.route())
        .setPartnerId(channel.partnerId())
        // The schema's scale is 6; a registry rate with more digits is rejected rather than
        // rounded.
        .setTakeRate(channel.takeRate().setScale(6, RoundingMode.UNNECESSARY))
        .setIdentityOwner(owner(channel, ControlPoint.IDENTITY))
        .setWorkflowOwner(owner(channel, ControlPoint.WORKFLOW))
        .setProcurementOwner(owner(channel, ControlPoint.PROCUREMENT))
        .setGovernanceOwner(owner(channel, ControlPoint.GOVERNANCE))
        .setBillingOwner(owner(channel, ControlPoint.BILLING))
        .setInterfaceOwner(owner(channel, ControlPoint.INTERFACE))
        .setRetired(change.retired())
        .build();
  }

  private static dev.routemetrics.events.ControlOwner owner(Channel channel, ControlPoint point) {
    ControlOwner owner = channel.controlPoints().get(point);
    // A retirement names no owners; UNKNOWN is the schema's "not said" and never counts as the
    // lab's.
    return owner == null
        ? dev.routemetrics.events.ControlOwner.UNKNOWN
        : dev.routemetrics.events.ControlOwner.valueOf(owner.name());
  }

  @Override
  public void close() {
    producer.close();
  }
}
