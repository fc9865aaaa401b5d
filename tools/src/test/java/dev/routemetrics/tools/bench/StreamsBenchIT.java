package dev.routemetrics.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.simulator.output.KafkaEventSink;
import dev.routemetrics.simulator.traffic.Faults;
import dev.routemetrics.simulator.traffic.SimulationPlan;
import dev.routemetrics.simulator.traffic.TrafficSimulator;
import dev.routemetrics.streams.StreamsAppConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The topology benchmark at a small size, on the real broker: over event topics filled by the
 * simulator it runs until every input record is committed, and reports exactly the records the
 * topics hold, counted here by a plain consumer, and the writes it caused.
 */
class StreamsBenchIT {

  @Test
  void shouldRunUntilEveryInputRecordIsCommittedAndCountThem() throws Exception {
    String namespace = "it-bench-streams-" + Long.toString(System.nanoTime(), 36) + ".";
    String bootstrap = new StreamsAppConfig(Map.of()).getString(StreamsAppConfig.KAFKA_BOOTSTRAP);
    Topics topics = new Topics(namespace);
    new TopicProvisioner(bootstrap, 3).ensure(topics);
    Instant start = Instant.parse("2026-11-20T11:00:00Z");
    try (KafkaEventSink sink = new KafkaEventSink(bootstrap, topics)) {
      new TrafficSimulator(
              ChannelRegistry.builtIn(),
              new SimulationPlan(
                  start,
                  start.plus(Duration.ofHours(1)),
                  7L,
                  1_000,
                  Faults.defaults(),
                  SimulationPlan.DEFAULT_STATEMENT_SKEW))
          .run(sink::accept, truth -> {}, (a, b, c) -> {});
    }
    long onTheTopics = records(bootstrap, topics);
    assertThat(onTheTopics).isGreaterThan(500);

    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    StreamsBench.Result result =
        StreamsBench.run(
            namespace,
            1,
            null,
            false,
            Map.of(
                StreamsAppConfig.COMMIT_INTERVAL_MS,
                "100",
                StreamsAppConfig.EMIT_INTERVAL_MS,
                "200"),
            new PrintStream(progress, true, StandardCharsets.UTF_8));

    assertThat(result.records()).isEqualTo(onTheTopics);
    assertThat(result.seconds()).isPositive();
    assertThat(result.writes()).containsOnlyKeys("changelog", "output", "repartition");
    assertThat(result.writes().get("output")).isPositive();
    assertThat(result.writes().get("repartition")).isPositive();
    assertThat(progress.toString(StandardCharsets.UTF_8))
        .contains("consumed " + String.format("%,d", onTheTopics) + " of ")
        .contains("per input record")
        .contains("deleted the run's");

    // The floor under that figure, on the same usage events: every kind of work reads them all.
    long usage = records(bootstrap, List.of(topics.usageEvents));
    List<StreamsCeiling.Row> ceiling =
        StreamsCeiling.run(
            namespace,
            1,
            Map.of(StreamsAppConfig.COMMIT_INTERVAL_MS, "100"),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertThat(ceiling)
        .extracting(StreamsCeiling.Row::work)
        .containsExactly(StreamsCeiling.Work.values());
    assertThat(ceiling).allSatisfy(row -> assertThat(row.records()).isEqualTo(usage));
  }

  /** Records on the three event topics: their end offsets, as a plain consumer sees them. */
  private static long records(String bootstrap, Topics topics) {
    return records(
        bootstrap, List.of(topics.usageEvents, topics.billingEvents, topics.feedbackEvents));
  }

  private static long records(String bootstrap, List<String> topicNames) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      long records = 0;
      for (String topic : topicNames) {
        List<TopicPartition> partitions =
            consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        records +=
            consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
      }
      return records;
    }
  }
}
