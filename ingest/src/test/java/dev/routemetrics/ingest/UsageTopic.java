package dev.routemetrics.ingest;

import dev.routemetrics.events.UsageEvent;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads back what a usage topic holds, to check what the edge acknowledged. */
final class UsageTopic {

  private UsageTopic() {}

  /**
   * How many records the topic holds right now (end minus beginning offsets, over its partitions).
   */
  static long recordCount(String topic, String bootstrap) {
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
      return partitions.stream().mapToLong(p -> end.get(p) - begin.get(p)).sum();
    }
  }

  /** Every event id on the topic right now, read from the start to the current end. */
  static Set<String> eventIds(String topic, String bootstrap) {
    Set<String> ids = new HashSet<>();
    AvroSerde<UsageEvent> serde = AvroSerde.of(UsageEvent.class);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        consumer
            .poll(Duration.ofMillis(500))
            .forEach(r -> ids.add(serde.decode(r.value()).getEventId()));
      }
    }
    return ids;
  }
}
