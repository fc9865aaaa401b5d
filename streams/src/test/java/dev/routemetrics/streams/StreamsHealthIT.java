package dev.routemetrics.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.simulator.expected.ExpectedMetrics;
import dev.routemetrics.simulator.output.KafkaEventSink;
import dev.routemetrics.simulator.traffic.Faults;
import dev.routemetrics.simulator.traffic.SimulationPlan;
import dev.routemetrics.simulator.traffic.TrafficSimulator;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The streams app's /health says caught up (UP, lag 0) only once its group has read every event
 * already on its topics: asked from the moment it starts, before it holds its tasks, no answer may
 * say caught up early. On a clean clone {@code routemetrics status} once said drained for a moment
 * at start-up, while the app had not been assigned its input partitions yet (its lag over the
 * partitions it held was 0 because it held none).
 */
class StreamsHealthIT {

  private static final String BOOTSTRAP =
      Objects.requireNonNullElse(System.getenv("ROUTEMETRICS_KAFKA_BOOTSTRAP"), "127.0.0.1:9092");
  private static final Instant START = Instant.parse("2026-11-21T10:00:00Z");
  private static final int PARTITIONS = 3;

  @Test
  @DisplayName(
      "asked from its start, /health says caught up only once the group has committed every event"
          + " on its topics")
  void shouldNotSayCaughtUpBeforeReadingTheEventsAlreadyOnItsTopics() throws Exception {
    String run = "it-health-" + Long.toString(System.nanoTime(), 36) + "-";
    Topics topics = new Topics(run);
    new TopicProvisioner(BOOTSTRAP, PARTITIONS).ensure(topics);
    ChannelRegistry registry = ChannelRegistry.builtIn();
    SimulationPlan plan =
        new SimulationPlan(
            START,
            START.plus(Duration.ofHours(1)),
            21L,
            1_000,
            Faults.defaults(),
            SimulationPlan.DEFAULT_STATEMENT_SKEW,
            Instant.now());
    try (KafkaEventSink sink = new KafkaEventSink(BOOTSTRAP, topics)) {
      new TrafficSimulator(registry, plan)
          .run(sink::accept, new ExpectedMetrics(registry)::accept, (a, b, c) -> {});
    }
    List<String> eventTopics =
        List.of(topics.usageEvents, topics.billingEvents, topics.feedbackEvents);
    String applicationId = run + "metrics";

    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP))) {
      // What is on the event topics before the app starts: every partition's end (a plain producer
      // wrote them, so the end is the number of records, no transaction markers).
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (String topic : eventTopics) {
        for (int p = 0; p < PARTITIONS; p++) {
          latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
      }
      Map<TopicPartition, Long> ends = new HashMap<>();
      admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
      assertThat(ends.values().stream().mapToLong(Long::longValue).sum())
          .as("events on the topics")
          .isGreaterThan(1_000);

      try (StreamsApp app =
          new StreamsApp(
              new StreamsAppConfig(
                  Map.of(
                      StreamsAppConfig.KAFKA_BOOTSTRAP,
                      BOOTSTRAP,
                      StreamsAppConfig.APPLICATION_ID,
                      applicationId,
                      StreamsAppConfig.TOPIC_NAMESPACE,
                      run,
                      StreamsAppConfig.STATE_DIR,
                      Files.createTempDirectory("routemetrics-streams-health-it").toString(),
                      StreamsAppConfig.COMMIT_INTERVAL_MS,
                      "100",
                      StreamsAppConfig.EMIT_INTERVAL_MS,
                      "200",
                      StreamsAppConfig.PORT,
                      "0")))) {
        app.start();
        List<String> answers = new ArrayList<>();
        Map<String, Object> health = app.health();
        // A hang guard, not a timed assertion: a loaded shared machine takes minutes to start it.
        long deadline = System.nanoTime() + Duration.ofMinutes(8).toNanos();
        long asked = 0;
        while (!caughtUp(health) && System.nanoTime() < deadline) {
          if (answers.size() < 5) {
            answers.add(health.get("status") + " " + health.get("lag"));
          }
          if (++asked % 500 == 0) {
            System.out.println("health: " + health);
          }
          Thread.sleep(10);
          health = app.health();
        }
        assertThat(caughtUp(health))
            .as("never caught up; first answers %s, last %s", answers, health)
            .isTrue();

        // At the first answer that says caught up: the group's committed offsets, read now and
        // independently of the app, reach the end of every event-topic partition.
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, Long> committedEvents = new HashMap<>();
        for (TopicPartition tp : ends.keySet()) {
          OffsetAndMetadata offset = committed.get(tp);
          committedEvents.put(tp, offset == null ? 0L : offset.offset());
        }
        assertThat(committedEvents)
            .as(
                "committed offsets at the first caught-up answer %s (before it: %s)",
                health, answers)
            .isEqualTo(ends);
        // And it says so per input partition: every event-topic partition is listed.
        @SuppressWarnings("unchecked")
        Map<String, Long> lag = (Map<String, Long>) health.get("lag");
        for (TopicPartition tp : ends.keySet()) {
          assertThat(lag)
              .as("lag of %s in %s", tp, health)
              .containsEntry(tp.topic() + "-" + tp.partition(), 0L);
        }
        assertThat(lag.keySet())
            .as("repartition topics listed")
            .anyMatch(k -> k.startsWith(applicationId + "-") && k.contains("-repartition-"));
      }
    }
  }

  private static boolean caughtUp(Map<String, Object> health) {
    return "UP".equals(health.get("status")) && Long.valueOf(0).equals(health.get("lagRecords"));
  }
}
