package dev.routemetrics.ingest.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.DeadLetter;
import dev.routemetrics.ingest.EventFamilies;
import dev.routemetrics.ingest.EventPublisher;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLoaderIT {

  private static final String BOOTSTRAP =
      System.getenv().getOrDefault("ROUTEMETRICS_KAFKA_BOOTSTRAP", "127.0.0.1:9092");

  static String usage(String id, String extra) {
    return "{\"event_id\":\""
        + id
        + "\",\"event_time\":\"2026-11-01T10:00:00Z\",\"channel_id\":\"direct-api\","
        + "\"account_id\":\"a\",\"model_id\":\"m\",\"request_id\":\"r\",\"input_tokens\":1,\"output_tokens\":1,"
        + "\"latency_ms\":1,\"outcome\":\"SUCCESS\",\"telemetry\":\"FULL\""
        + extra
        + "}";
  }

  @Test
  void shouldLoadTheGoodRecordsAndDeadLetterTheRestWithLineAndReason(@TempDir Path dir)
      throws Exception {
    Topics topics = new Topics("it-load-" + System.currentTimeMillis() + ".");
    new TopicProvisioner(BOOTSTRAP, 1).ensure(topics);
    Path file = dir.resolve("backfill.ndjson");
    Files.writeString(
        file,
        String.join(
                "\n",
                usage("ok-1", ""),
                usage("ok-2", ""),
                "{broken",
                usage("bad-tokens", ",\"input_tokens\":-7"),
                usage("ok-3", ""))
            + "\n");

    FileLoader.Result result;
    try (EventPublisher publisher = new EventPublisher(BOOTSTRAP, 10_000)) {
      result =
          new FileLoader(publisher, topics, 2)
              .load(
                  file,
                  RecordReader.Format.NDJSON,
                  EventFamilies.named(
                      "usage", ChannelRegistry.builtIn(), Clock.systemUTC(), Duration.ofMinutes(5)),
                  bytes -> {});
    }

    assertThat(result).isEqualTo(new FileLoader.Result(3, 2));
    List<DeadLetter> dead = new ArrayList<>();
    AvroSerde<DeadLetter> serde = AvroSerde.of(DeadLetter.class);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP),
            new StringDeserializer(),
            new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topics.deadLetters, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      while (dead.size() < 2) {
        consumer.poll(Duration.ofMillis(500)).forEach(r -> dead.add(serde.decode(r.value())));
      }
    }
    assertThat(dead).extracting(DeadLetter::getLine).containsExactly(3L, 4L);
    assertThat(dead.get(0).getReason()).startsWith("not valid JSON");
    assertThat(dead.get(1).getReason()).isEqualTo("input_tokens: must be >= 0, was -7");
    assertThat(dead.get(1).getRaw()).contains("bad-tokens");
  }
}
