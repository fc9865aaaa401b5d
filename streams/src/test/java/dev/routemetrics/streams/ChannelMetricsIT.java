package dev.routemetrics.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.routemetrics.events.QuarantineReason;
import dev.routemetrics.events.QuarantinedEvent;
import dev.routemetrics.events.Route;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.ChannelWindowRevenue;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import dev.routemetrics.simulator.expected.ExpectedMetrics;
import dev.routemetrics.simulator.expected.MetricsRow;
import dev.routemetrics.simulator.output.KafkaEventSink;
import dev.routemetrics.simulator.traffic.Delivery;
import dev.routemetrics.simulator.traffic.Faults;
import dev.routemetrics.simulator.traffic.Injection;
import dev.routemetrics.simulator.traffic.SimulationPlan;
import dev.routemetrics.simulator.traffic.TrafficSimulator;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The topology on the real broker against the simulator's reference calculation: a seeded two-hour
 * simulation (duplicates, conflicts, late and too-late events, refunds, a registry change at noon)
 * goes straight onto namespaced event topics, a real KafkaStreams app (own application id and state
 * dir) turns it into metrics, and every row, newest version per key, must equal ExpectedMetrics'
 * row.
 */
class ChannelMetricsIT {

  private static final String BOOTSTRAP =
      Objects.requireNonNullElse(System.getenv("ROUTEMETRICS_KAFKA_BOOTSTRAP"), "127.0.0.1:9092");

  /** Spans the built-in registry's version 2 (effective 2026-11-20T12:00Z). */
  private static final Instant START = Instant.parse("2026-11-20T11:00:00Z");

  /** Generous: on a quiet machine the cases match in 10-30 s; the suite's machine may be shared. */
  private static final Duration TIMEOUT =
      Duration.ofMinutes(Long.getLong("routemetrics.streams.it.minutes", 5));

  @Test
  @DisplayName(
      "every metric and revenue row of a simulated day part equals the reference calculation")
  void shouldMatchTheReferenceCalculationRowByRow() throws Exception {
    matchTheReferenceCalculation(Duration.ofHours(2), 4_000, TIMEOUT, "100");
  }

  /**
   * A measurement, not a gate: {@code -Droutemetrics.streams.bench=200000} simulates that many
   * events over a day.
   */
  @Test
  @EnabledIfSystemProperty(named = "routemetrics.streams.bench", matches = "\\d+")
  void shouldKeepUpWithADayOfTraffic() throws Exception {
    matchTheReferenceCalculation(
        Duration.ofDays(1),
        Long.parseLong(System.getProperty("routemetrics.streams.bench")),
        Duration.ofMinutes(30),
        System.getProperty("routemetrics.streams.bench.commit.ms", "1000"));
  }

  private void matchTheReferenceCalculation(
      Duration period, long events, Duration timeout, String commitIntervalMs) throws Exception {
    String run = "it-streams-" + Long.toString(System.nanoTime(), 36) + "-";
    Topics topics = new Topics(run);
    new TopicProvisioner(BOOTSTRAP, 3).ensure(topics);
    ChannelRegistry registry = ChannelRegistry.builtIn();

    SimulationPlan plan =
        new SimulationPlan(
            START,
            START.plus(period),
            20261120L,
            events,
            Faults.defaults(),
            SimulationPlan.DEFAULT_STATEMENT_SKEW,
            Instant.now());
    ExpectedMetrics expected = new ExpectedMetrics(registry);
    TrafficSimulator.Summary summary;
    try (KafkaEventSink sink = new KafkaEventSink(BOOTSTRAP, topics)) {
      summary =
          new TrafficSimulator(registry, plan).run(sink::accept, expected::accept, (a, b, c) -> {});
    }
    ExpectedMetrics.Result reference = expected.result();

    Path stateDir = Files.createTempDirectory("routemetrics-streams-it");
    long began = System.nanoTime();
    try (StreamsApp app =
        new StreamsApp(
            new StreamsAppConfig(
                Map.of(
                    StreamsAppConfig.KAFKA_BOOTSTRAP,
                    BOOTSTRAP,
                    StreamsAppConfig.APPLICATION_ID,
                    run + "metrics",
                    StreamsAppConfig.TOPIC_NAMESPACE,
                    run,
                    StreamsAppConfig.STATE_DIR,
                    stateDir.toString(),
                    StreamsAppConfig.COMMIT_INTERVAL_MS,
                    commitIntervalMs,
                    StreamsAppConfig.EMIT_INTERVAL_MS,
                    "200",
                    StreamsAppConfig.PORT, // any free one: a demo's streams app may hold 8092
                    "0")))) {
      app.start();
      Map<String, String> expectedMetrics = expectedMetricRows(reference.rows());
      Map<String, String> expectedRevenue = expectedRevenueRows(reference.rows());
      Latest latest = new Latest(topics);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline
          && app.state() != KafkaStreams.State.ERROR
          && !latest.matches(expectedMetrics, expectedRevenue)) {
        latest.poll();
      }
      double seconds = (System.nanoTime() - began) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "streams IT: %,d deliveries %s, %,d metric rows, %,d revenue rows matched in %.1f s"
              + " (%.0f deliveries/s)%n",
          summary.delivered(),
          summary.deliveries(),
          expectedMetrics.size(),
          expectedRevenue.size(),
          seconds,
          summary.delivered() / seconds);
      // The scenario is not vacuous: it has every fault, coverage and the registry change.
      assertThat(summary.conflictIds()).isNotEmpty();
      assertThat(summary.tooLateIds()).isNotEmpty();
      assertThat(summary.deliveries()).containsKeys(Injection.DUPLICATE, Injection.LATE);
      assertThat(reference.rows())
          .anyMatch(r -> r.coveredRequests() > 0 && r.coveredRequests() < r.requests());
      assertThat(reference.rows())
          .anyMatch(
              r ->
                  r.revenue().stream()
                      .anyMatch(m -> m.net().signum() < 0 || m.gross().signum() == 0));
      assertThat(reference.rows()).extracting(MetricsRow::registryVersion).contains(1, 2);

      assertThat(app.state()).isNotEqualTo(KafkaStreams.State.ERROR);
      assertThat(metricsDifferences(latest.metrics, expectedMetrics)).isEmpty();
      assertThat(latest.revenue).isEqualTo(expectedRevenue);
      assertThat(expectedMetrics.keySet())
          .anyMatch(k -> k.contains("|HOUR|" + START.plus(Duration.ofHours(1)).toEpochMilli()));

      // What was set aside, and why: exactly the simulator's conflicts and too-late events.
      latest.pollQuarantineUntil(
          summary.conflictIds().size() + summary.tooLateIds().size(), deadline);
      assertThat(latest.quarantined(QuarantineReason.CONFLICT))
          .isEqualTo(new HashSet<>(summary.conflictIds()));
      assertThat(latest.quarantined(QuarantineReason.TOO_LATE))
          .isEqualTo(new HashSet<>(summary.tooLateIds()));
      latest.close();
    }
  }

  @Test
  @DisplayName(
      "a restart that loses the local state resumes from the committed state: nothing lost, nothing"
          + " twice, versions grow")
  void shouldResumeFromCommittedStateAfterARestartThatLostItsLocalState() throws Exception {
    String run = "it-streams-restart-" + Long.toString(System.nanoTime(), 36) + "-";
    Topics topics = new Topics(run);
    new TopicProvisioner(BOOTSTRAP, 3).ensure(topics);
    SimulatedHour hour = SimulatedHour.of(7L, 2_000);
    List<Delivery> deliveries = hour.deliveries();
    Map<String, String> expectedMetrics = hour.metrics();
    Map<String, String> expectedRevenue = hour.revenue();
    int half = deliveries.size() / 2;

    Map<String, String> settings =
        Map.of(
            StreamsAppConfig.KAFKA_BOOTSTRAP,
            BOOTSTRAP,
            StreamsAppConfig.APPLICATION_ID,
            run + "metrics",
            StreamsAppConfig.TOPIC_NAMESPACE,
            run,
            StreamsAppConfig.STATE_DIR,
            Files.createTempDirectory("routemetrics-streams-it").toString(),
            StreamsAppConfig.COMMIT_INTERVAL_MS,
            "100",
            StreamsAppConfig.EMIT_INTERVAL_MS,
            "200",
            StreamsAppConfig.PORT,
            "0");
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    try (Latest latest = new Latest(topics)) {
      send(topics, deliveries.subList(0, half));
      try (StreamsApp first = new StreamsApp(new StreamsAppConfig(settings))) {
        first.start();
        while (latest.metrics.size() < 50 && System.nanoTime() < deadline) {
          latest.poll();
        }
      }
      // The local state is gone (a new machine, say): the stores come back from their changelogs.
      deleteRecursively(Path.of(settings.get(StreamsAppConfig.STATE_DIR)));
      send(topics, deliveries.subList(half, deliveries.size()));
      try (StreamsApp second = new StreamsApp(new StreamsAppConfig(settings))) {
        second.start();
        while (System.nanoTime() < deadline
            && second.state() != KafkaStreams.State.ERROR
            && !latest.matches(expectedMetrics, expectedRevenue)) {
          latest.poll();
        }
        assertThat(second.state()).isNotEqualTo(KafkaStreams.State.ERROR);
      }
      assertThat(metricsDifferences(latest.metrics, expectedMetrics)).isEmpty();
      assertThat(latest.revenue).isEqualTo(expectedRevenue);
    }
  }

  @Test
  @DisplayName(
      "20 records that cannot be decoded or folded, written straight to Kafka mid-run: set aside,"
          + " counted, every other row exact")
  void shouldSetAsidePoisonRecordsAndCountEverythingElseExactly() throws Exception {
    String run = "it-streams-poison-" + Long.toString(System.nanoTime(), 36) + "-";
    Topics topics = new Topics(run);
    new TopicProvisioner(BOOTSTRAP, 3).ensure(topics);
    // 2,000 events in the suite; -Droutemetrics.streams.poison.events=100000 for the issue's longer
    // run.
    SimulatedHour hour =
        SimulatedHour.of(7L, Integer.getInteger("routemetrics.streams.poison.events", 2_000));
    List<Delivery> deliveries = hour.deliveries();
    Map<String, String> expectedMetrics = hour.metrics();
    Map<String, String> expectedRevenue = hour.revenue();

    // Ten that no decoder reads, ten that decode but break a bound the fold relies on (the 19-digit
    // revenue sum that used to kill the stream thread for good, tokens that wrap a long, a time
    // before 1970).
    List<org.apache.kafka.clients.producer.ProducerRecord<String, byte[]>> poison =
        new ArrayList<>();
    String[] eventTopics = {topics.usageEvents, topics.billingEvents, topics.feedbackEvents};
    for (int i = 0; i < 10; i++) {
      poison.add(
          new org.apache.kafka.clients.producer.ProducerRecord<>(
              eventTopics[i % 3],
              "poison-bytes-" + i,
              ("not avro " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    AvroSerde<dev.routemetrics.events.UsageEvent> usageSerde =
        AvroSerde.of(dev.routemetrics.events.UsageEvent.class);
    AvroSerde<dev.routemetrics.events.BillingEvent> billingSerde =
        AvroSerde.of(dev.routemetrics.events.BillingEvent.class);
    for (int i = 0; i < 5; i++) {
      String id = "poison-usage-" + i;
      dev.routemetrics.events.UsageEvent.Builder usage =
          ChannelMetricsTopologyTest.request(id, "direct-api", START.plusSeconds(60L * i));
      usage.setEventId(id);
      if (i % 2 == 0) {
        usage.setInputTokens(Long.MAX_VALUE / 2);
      } else {
        usage.setEventTime(Instant.parse("1969-12-31T23:00:00Z"));
      }
      poison.add(
          new org.apache.kafka.clients.producer.ProducerRecord<>(
              topics.usageEvents, id, usageSerde.encode(usage.build())));
      String billingId = "poison-billing-" + i;
      dev.routemetrics.events.BillingEvent charge =
          ChannelMetricsTopologyTest.charge(
                  billingId,
                  "direct-api",
                  START.plusSeconds(60L * i),
                  "99999999999999.9999",
                  "0",
                  "99999999999999.9999")
              .build();
      poison.add(
          new org.apache.kafka.clients.producer.ProducerRecord<>(
              topics.billingEvents, billingId, billingSerde.encode(charge)));
    }
    java.util.Random random = new java.util.Random(20);
    Map<Integer, org.apache.kafka.clients.producer.ProducerRecord<String, byte[]>> at =
        new TreeMap<>();
    for (org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> p : poison) {
      int index;
      do {
        index = random.nextInt(deliveries.size());
      } while (at.containsKey(index));
      at.put(index, p);
    }

    Map<String, String> settings =
        Map.of(
            StreamsAppConfig.KAFKA_BOOTSTRAP,
            BOOTSTRAP,
            StreamsAppConfig.TOPIC_NAMESPACE,
            run,
            StreamsAppConfig.STATE_DIR,
            Files.createTempDirectory("routemetrics-streams-it").toString(),
            StreamsAppConfig.PORT,
            "0",
            StreamsAppConfig.EMIT_INTERVAL_MS,
            "200");
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    try (Latest latest = new Latest(topics);
        StreamsApp app = new StreamsApp(new StreamsAppConfig(settings));
        KafkaEventSink sink = new KafkaEventSink(BOOTSTRAP, topics);
        org.apache.kafka.clients.producer.KafkaProducer<String, byte[]> raw =
            new org.apache.kafka.clients.producer.KafkaProducer<>(
                Map.of("bootstrap.servers", BOOTSTRAP),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      app.start();
      for (int i = 0; i < deliveries.size(); i++) {
        if (at.containsKey(i)) {
          raw.send(at.get(i)).get();
        }
        sink.accept(deliveries.get(i));
      }
      while (System.nanoTime() < deadline
          && app.state() != KafkaStreams.State.ERROR
          && !latest.matches(expectedMetrics, expectedRevenue)) {
        latest.poll();
      }
      assertThat(metricsDifferences(latest.metrics, expectedMetrics)).isEmpty();
      assertThat(latest.revenue).isEqualTo(expectedRevenue);
      latest.pollQuarantineUntil(20, deadline);
      assertThat(latest.quarantined(QuarantineReason.UNPROCESSABLE))
          .hasSize(10)
          .allMatch(id -> id.startsWith(run) && id.contains("@"));
      assertThat(latest.quarantined(QuarantineReason.OUT_OF_BOUNDS))
          .containsExactlyInAnyOrder(
              "poison-usage-0",
              "poison-usage-1",
              "poison-usage-2",
              "poison-usage-3",
              "poison-usage-4",
              "poison-billing-0",
              "poison-billing-1",
              "poison-billing-2",
              "poison-billing-3",
              "poison-billing-4");
      assertThat(app.dropped().total(DroppedRecords.UNDECODABLE)).isEqualTo(10);
      assertThat(app.dropped().total(DroppedRecords.OUT_OF_BOUNDS)).isEqualTo(10);
      assertThat(app.health()).containsEntry("threadsReplaced", 0L).containsEntry("status", "UP");
    }
  }

  @Test
  @DisplayName(
      "two instances share the tasks; after one is SIGKILLed the other takes them over and every"
          + " row is exact")
  void shouldShareTheTasksBetweenTwoInstancesAndSurviveASigkillOfOne() throws Exception {
    String run = "it-streams-two-" + Long.toString(System.nanoTime(), 36) + "-";
    Topics topics = new Topics(run);
    new TopicProvisioner(BOOTSTRAP, TopicProvisioner.DEFAULT_PARTITIONS).ensure(topics);
    SimulatedHour hour = SimulatedHour.of(7L, 2_000);
    List<Delivery> deliveries = hour.deliveries();
    Map<String, String> expectedMetrics = hour.metrics();
    Map<String, String> expectedRevenue = hour.revenue();
    String applicationId = run + StreamsAppConfig.DEFAULT_APPLICATION_ID; // the namespace names it
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    List<Process> instances = new ArrayList<>();
    try (Latest latest = new Latest(topics);
        org.apache.kafka.clients.admin.Admin admin =
            org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", BOOTSTRAP))) {
      for (String instance : new String[] {"a", "b"}) {
        instances.add(child(run, instance));
      }
      // Both hold tasks before anything is sent: six partitions per sub-topology spread over two
      // members.
      while (System.nanoTime() < deadline && instancesWithTasks(admin, applicationId) < 2) {
        Thread.sleep(500);
      }
      assertThat(instancesWithTasks(admin, applicationId))
          .as("instances of %s holding tasks", applicationId)
          .isEqualTo(2);
      int half = deliveries.size() / 2;
      send(topics, deliveries.subList(0, half));
      while (latest.metrics.size() < 50 && System.nanoTime() < deadline) {
        latest.poll();
      }
      instances.get(0).destroyForcibly().waitFor(); // SIGKILL: no commit, no leave-group
      long killedAt = System.nanoTime();
      send(topics, deliveries.subList(half, deliveries.size()));
      while (System.nanoTime() < deadline && !latest.matches(expectedMetrics, expectedRevenue)) {
        latest.poll();
      }
      System.out.printf(
          Locale.ROOT,
          "two instances: every row exact %.1f s after the SIGKILL%n",
          (System.nanoTime() - killedAt) / 1e9);
      assertThat(metricsDifferences(latest.metrics, expectedMetrics)).isEmpty();
      assertThat(latest.revenue).isEqualTo(expectedRevenue);
      assertThat(instances.get(1).isAlive()).isTrue();
    } finally {
      instances.forEach(Process::destroyForcibly);
    }
  }

  private static Process child(String run, String instance) throws java.io.IOException {
    Path log = Files.createTempFile("streams-child-" + instance, ".log");
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx384m",
            "-cp",
            System.getProperty("java.class.path"),
            StreamsChild.class.getName(),
            StreamsAppConfig.KAFKA_BOOTSTRAP + "=" + BOOTSTRAP,
            StreamsAppConfig.TOPIC_NAMESPACE + "=" + run,
            StreamsAppConfig.INSTANCE_ID + "=" + instance,
            StreamsAppConfig.STATE_DIR
                + "="
                + Files.createTempDirectory("routemetrics-streams-" + instance),
            StreamsAppConfig.PORT + "=0",
            StreamsAppConfig.EMIT_INTERVAL_MS + "=200")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /**
   * Instances of the group holding partitions; 0 while the group does not exist yet. Each stream
   * thread is a member of its own, its static id the instance's with "-<thread>" appended by Kafka
   * Streams, so members are counted by that id without the suffix.
   */
  private static long instancesWithTasks(org.apache.kafka.clients.admin.Admin admin, String group)
      throws Exception {
    try {
      var description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
      return description.members().stream()
          .filter(m -> !m.assignment().topicPartitions().isEmpty())
          .map(m -> m.groupInstanceId().orElse(m.consumerId()).replaceAll("-\\d+$", ""))
          .distinct()
          .count();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException) {
        return 0;
      }
      throw e;
    }
  }

  /**
   * A seeded simulated hour of every fault type, its deliveries in order and the rows it implies.
   */
  private record SimulatedHour(
      List<Delivery> deliveries, Map<String, String> metrics, Map<String, String> revenue) {

    static SimulatedHour of(long seed, int events) {
      ChannelRegistry registry = ChannelRegistry.builtIn();
      SimulationPlan plan =
          new SimulationPlan(
              START,
              START.plus(Duration.ofHours(1)),
              seed,
              events,
              Faults.defaults(),
              SimulationPlan.DEFAULT_STATEMENT_SKEW,
              Instant.now());
      ExpectedMetrics expected = new ExpectedMetrics(registry);
      List<Delivery> deliveries = new ArrayList<>();
      new TrafficSimulator(registry, plan).run(deliveries::add, expected::accept, (a, b, c) -> {});
      ExpectedMetrics.Result reference = expected.result();
      return new SimulatedHour(
          deliveries, expectedMetricRows(reference.rows()), expectedRevenueRows(reference.rows()));
    }
  }

  private static void send(Topics topics, List<Delivery> deliveries) {
    try (KafkaEventSink sink = new KafkaEventSink(BOOTSTRAP, topics)) {
      deliveries.forEach(sink::accept);
    }
  }

  private static void deleteRecursively(Path dir) throws java.io.IOException {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * The two distinct counts of a metrics line: a sketch may estimate them (docs/domain.md: exact
   * below 10,000, within 2 % above).
   */
  private static final java.util.regex.Pattern DISTINCT_COUNTS =
      java.util.regex.Pattern.compile("accounts=(\\d+) end_users=(\\d+)");

  static final long EXACT_BELOW = 10_000;
  static final double DISTINCT_ALLOWANCE = 0.02;

  /**
   * Rows that differ from the reference calculation: every field exact, except a distinct count of
   * 10,000 or more, which may be off by 2 % of the true count. Empty when all rows match.
   */
  static List<String> metricsDifferences(Map<String, String> got, Map<String, String> want) {
    List<String> differences = new ArrayList<>();
    Set<String> keys = new java.util.TreeSet<>(got.keySet());
    keys.addAll(want.keySet());
    for (String key : keys) {
      String g = got.get(key);
      String w = want.get(key);
      if (g == null || w == null) {
        differences.add(
            key + (g == null ? ": missing, expected " + w : ": not expected, got " + g));
        continue;
      }
      java.util.regex.Matcher gm = DISTINCT_COUNTS.matcher(g);
      java.util.regex.Matcher wm = DISTINCT_COUNTS.matcher(w);
      boolean comparable =
          gm.find()
              && wm.find()
              && DISTINCT_COUNTS
                  .matcher(g)
                  .replaceFirst("")
                  .equals(DISTINCT_COUNTS.matcher(w).replaceFirst(""));
      boolean same =
          comparable
              && sameDistinct(Long.parseLong(gm.group(1)), Long.parseLong(wm.group(1)))
              && sameDistinct(Long.parseLong(gm.group(2)), Long.parseLong(wm.group(2)));
      if (!same) {
        differences.add(key + ": got " + g + ", expected " + w);
      }
    }
    return differences;
  }

  private static boolean sameDistinct(long got, long want) {
    return want < EXACT_BELOW ? got == want : Math.abs(got - want) <= DISTINCT_ALLOWANCE * want;
  }

  /** The fields of a metrics row the reference calculation also has, as one comparable line. */
  /** As the tables carry it, and the simulator's expectation: UNKNOWN for no route. */
  private static String routeName(Route route) {
    return route == null ? "UNKNOWN" : route.name();
  }

  private static String metricsLine(
      String route,
      int controlPoints,
      long usageEvents,
      long requests,
      long input,
      long output,
      long accounts,
      long endUsers,
      long identified,
      long errors,
      long fullTelemetry,
      long feedback,
      long trainable,
      long covered,
      long received,
      long trainableReceived) {
    return String.format(
        Locale.ROOT,
        "route=%s control=%d usage_events=%d requests=%d tokens=%d/%d accounts=%d end_users=%d"
            + " identified=%d errors=%d full=%d feedback=%d trainable=%d covered=%d received=%d"
            + " trainable_received=%d",
        route,
        controlPoints,
        usageEvents,
        requests,
        input,
        output,
        accounts,
        endUsers,
        identified,
        errors,
        fullTelemetry,
        feedback,
        trainable,
        covered,
        received,
        trainableReceived);
  }

  private static String revenueLine(
      String route,
      BigDecimal gross,
      BigDecimal fee,
      BigDecimal net,
      BigDecimal byLab,
      Double captureRate) {
    return String.format(
        Locale.ROOT,
        "route=%s gross=%s fee=%s net=%s by_lab=%s capture=%s",
        route,
        gross.stripTrailingZeros().toPlainString(),
        fee.stripTrailingZeros().toPlainString(),
        net.stripTrailingZeros().toPlainString(),
        byLab.stripTrailingZeros().toPlainString(),
        captureRate);
  }

  private static Map<String, String> expectedMetricRows(List<MetricsRow> rows) {
    Map<String, String> out = new TreeMap<>();
    for (MetricsRow r : rows) {
      if (r.usageEvents() == 0 && r.feedbackEvents() == 0 && r.feedbackReceived() == 0) {
        continue; // a window with revenue only: channel-revenue has it, channel-metrics does not
      }
      long identified =
          r.identityVisibility() == null ? 0 : Math.round(r.identityVisibility() * r.requests());
      long errors = r.errorRate() == null ? 0 : Math.round(r.errorRate() * r.requests());
      long full =
          r.telemetryFullShare() == null ? 0 : Math.round(r.telemetryFullShare() * r.requests());
      out.put(
          r.channelId() + "|" + r.window().name() + "|" + r.windowStart().toEpochMilli(),
          metricsLine(
              r.route(),
              r.controlPointsOwned(),
              r.usageEvents(),
              r.requests(),
              r.inputTokens(),
              r.outputTokens(),
              r.activeAccounts(),
              r.visibleEndUsers(),
              identified,
              errors,
              full,
              r.feedbackEvents(),
              r.trainableFeedback(),
              r.coveredRequests(),
              r.feedbackReceived(),
              r.trainableReceived()));
    }
    return out;
  }

  private static Map<String, String> expectedRevenueRows(List<MetricsRow> rows) {
    Map<String, String> out = new TreeMap<>();
    for (MetricsRow r : rows) {
      for (MetricsRow.Revenue m : r.revenue()) {
        out.put(
            r.channelId()
                + "|"
                + r.window().name()
                + "|"
                + r.windowStart().toEpochMilli()
                + "|"
                + m.currency(),
            revenueLine(
                r.route(),
                m.gross(),
                m.partnerFee(),
                m.net(),
                m.netBilledByLab(),
                m.captureRate()));
      }
    }
    return out;
  }

  /** The newest version of every row on the output topics, read committed. */
  private static final class Latest implements AutoCloseable {

    final Map<String, String> metrics = new TreeMap<>();
    final Map<String, String> revenue = new TreeMap<>();
    private final Map<String, Long> versions = new TreeMap<>();
    private final List<QuarantinedEvent> quarantine = new ArrayList<>();
    private final Topics topics;
    private final KafkaConsumer<String, byte[]> consumer;
    private final AvroSerde<ChannelWindowMetrics> metricsSerde =
        AvroSerde.of(ChannelWindowMetrics.class);
    private final AvroSerde<ChannelWindowRevenue> revenueSerde =
        AvroSerde.of(ChannelWindowRevenue.class);
    private final AvroSerde<QuarantinedEvent> quarantineSerde =
        AvroSerde.of(QuarantinedEvent.class);

    Latest(Topics topics) {
      this.topics = topics;
      consumer =
          new KafkaConsumer<>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  BOOTSTRAP,
                  ConsumerConfig.GROUP_ID_CONFIG,
                  topics.channelMetrics + "-reader",
                  ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                  "earliest",
                  ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                  "read_committed"),
              new StringDeserializer(),
              new ByteArrayDeserializer());
      consumer.subscribe(
          List.of(topics.channelMetrics, topics.channelRevenue, topics.quarantinedEvents));
    }

    void poll() {
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
        if (record.topic().equals(topics.channelMetrics)) {
          ChannelWindowMetrics m = metricsSerde.decode(record.value());
          if (newer(record.topic() + record.key(), m.getVersion())) {
            metrics.put(
                record.key(),
                metricsLine(
                    routeName(m.getRoute()),
                    m.getControlPointsOwned(),
                    m.getUsageEvents(),
                    m.getRequests(),
                    m.getInputTokens(),
                    m.getOutputTokens(),
                    m.getActiveAccounts(),
                    m.getVisibleEndUsers(),
                    m.getIdentifiedRequests(),
                    m.getErrorRequests(),
                    m.getFullTelemetryRequests(),
                    m.getFeedbackEvents(),
                    m.getTrainableFeedback(),
                    m.getCoveredRequests(),
                    m.getFeedbackReceived(),
                    m.getTrainableReceived()));
          }
        } else if (record.topic().equals(topics.channelRevenue)) {
          ChannelWindowRevenue r = revenueSerde.decode(record.value());
          if (newer(record.topic() + record.key(), r.getVersion())) {
            Double capture =
                r.getGross().signum() == 0
                    ? null
                    : r.getNetWhereGrossKnown().doubleValue() / r.getGross().doubleValue();
            revenue.put(
                record.key(),
                revenueLine(
                    routeName(r.getRoute()),
                    r.getGross(),
                    r.getPartnerFee(),
                    r.getNet(),
                    r.getNetBilledByLab(),
                    capture));
          }
        } else {
          quarantine.add(quarantineSerde.decode(record.value()));
        }
      }
    }

    boolean matches(Map<String, String> expectedMetrics, Map<String, String> expectedRevenue) {
      return revenue.equals(expectedRevenue)
          && metricsDifferences(metrics, expectedMetrics).isEmpty();
    }

    private boolean newer(String key, long version) {
      Long seen = versions.get(key);
      assertThat(seen == null || version > seen)
          .as("versions of %s only grow (%s then %s)", key, seen, version)
          .isTrue();
      versions.put(key, version);
      return true;
    }

    void pollQuarantineUntil(int count, long deadline) {
      while (quarantine.size() < count && System.nanoTime() < deadline) {
        poll();
      }
      poll();
    }

    Set<String> quarantined(QuarantineReason reason) {
      Set<String> ids = new HashSet<>();
      quarantine.stream()
          .filter(q -> q.getReason() == reason)
          .forEach(q -> ids.add(q.getEventId()));
      return ids;
    }

    @Override
    public void close() {
      consumer.close();
    }
  }
}
