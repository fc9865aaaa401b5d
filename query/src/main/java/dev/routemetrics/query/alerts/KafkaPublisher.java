package dev.routemetrics.query.alerts;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Alert transitions as JSON to a Kafka topic, keyed by rule and subject so one alert's FIRING and
 * RESOLVED stay in order on one partition. Creates the topic if missing (the broker does not
 * auto-create). Each send waits for the broker's acknowledgement.
 */
public final class KafkaPublisher implements AlertEvaluator.Publisher, AutoCloseable {

  private final String topic;
  private final KafkaProducer<String, String> producer;

  public KafkaPublisher(String bootstrap, String topic, int partitions) {
    this.topic = topic;
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin
          .createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException(
            "could not create alert topic " + topic + ": " + e.getCause(), e.getCause());
      }
    } catch (Exception e) {
      throw new IllegalStateException(
          "could not create alert topic " + topic + " on " + bootstrap + ": " + e, e);
    }
    this.producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                30_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                10_000),
            new StringSerializer(),
            new StringSerializer());
  }

  @Override
  public void publish(Alert alert) throws Exception {
    producer
        .send(new ProducerRecord<>(topic, alert.key(), AlertJson.write(alert)))
        .get(35, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    producer.close();
  }
}
