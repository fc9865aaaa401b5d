package dev.routemetrics.cli;

import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.streams.StreamsApp;
import dev.routemetrics.streams.StreamsAppConfig;
import dev.routemetrics.tools.rebuild.Rebuild;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "bench-streams",
    mixinStandardHelpOptions = true,
    description = {
      "Measure the metrics topology: input records per second over event topics already filled.",
      "It runs the topology with a fresh application id (deploy/bench-streams.sh fills the topics"
          + " with",
      "`simulate --to kafka`) until its committed offsets reach the end of every input topic.",
      "Prints: input_records seconds records_per_s startup_s"
    })
final class BenchStreamsCommand implements Callable<Integer> {

  @Option(
      names = "--topic-namespace",
      required = true,
      description = "Namespace of the filled event topics.")
  String namespace;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description = "Stream threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--application-id",
      description =
          "Application id to join (default: a fresh one). Start several processes with the same id"
              + " at once to measure that many instances sharing the tasks; each finishes when the"
              + " group as a whole is done.")
  String sharedApplicationId;

  @Option(
      names = "--show-thread-ratios",
      description =
          "Every 2 s, print where the stream threads spend their time (poll, process, commit,"
              + " punctuate).")
  boolean showRatios;

  @Override
  public Integer call() throws Exception {
    Topics topics = new Topics(namespace);
    String applicationId =
        sharedApplicationId != null
            ? sharedApplicationId
            : "bench-streams-" + System.currentTimeMillis();
    Map<String, Object> settings = new HashMap<>();
    settings.put(StreamsAppConfig.TOPIC_NAMESPACE, namespace);
    settings.put(StreamsAppConfig.APPLICATION_ID, applicationId);
    settings.put(StreamsAppConfig.STATE_DIR, Files.createTempDirectory("bench-streams").toString());
    settings.put(StreamsAppConfig.THREADS, String.valueOf(threads));
    // Static membership ids must differ between instances of one application id.
    settings.put(StreamsAppConfig.INSTANCE_ID, "bench-" + ProcessHandle.current().pid());
    settings.put(StreamsAppConfig.PORT, "0"); // several instances, and beside a running pipeline
    StreamsAppConfig config = new StreamsAppConfig(settings);
    List<String> inputs = List.of(topics.usageEvents, topics.billingEvents, topics.feedbackEvents);
    try (Admin admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.getString(StreamsAppConfig.KAFKA_BOOTSTRAP)))) {
      Map<TopicPartition, Long> end = Rebuild.endOffsets(admin, inputs);
      long records = end.values().stream().mapToLong(Long::longValue).sum();
      long started = System.nanoTime();
      long firstProgress = 0;
      long finished;
      try (StreamsApp app = new StreamsApp(config).start()) {
        int polls = 0;
        while (true) {
          Map<TopicPartition, OffsetAndMetadata> committed =
              admin.listConsumerGroupOffsets(applicationId).partitionsToOffsetAndMetadata().get();
          long done = end.keySet().stream().mapToLong(p -> offset(committed, p)).sum();
          if (firstProgress == 0 && done > 0) {
            firstProgress = System.nanoTime();
          }
          // Done when every input record is consumed and every internal repartition topic is
          // drained too.
          long internalLag = done < records ? -1 : lag(admin, committed, applicationId);
          System.err.printf(
              "\rconsumed %,d of %,d input records; internal lag %,d   ",
              done, records, internalLag);
          if (done >= records && internalLag == 0) {
            // The clock stops here: closing the app and counting its writes are not processing.
            finished = System.nanoTime();
            reportThreadRatios(app);
            break;
          }
          if (showRatios && ++polls % 8 == 0) {
            reportThreadRatios(app);
          }
          Thread.sleep(250);
        }
      }
      System.err.println();
      reportWrites(admin, applicationId, topics, records);
      double seconds = (finished - started) / 1e9;
      System.out.printf(
          "%d %.1f %.0f %.1f%n",
          records, seconds, records / seconds, (firstProgress - started) / 1e9);
    }
    return 0;
  }

  /**
   * Broker writes per input record, counted: the end offsets of every topic the topology wrote (its
   * changelogs, repartition topics and outputs, all fresh for this run). Offsets include the
   * transaction markers of each commit, one per partition written.
   */
  private static void reportWrites(Admin admin, String applicationId, Topics topics, long records)
      throws Exception {
    Set<String> names = admin.listTopics().names().get();
    Map<String, Long> byKind = new java.util.TreeMap<>();
    for (String kind : new String[] {"-changelog", "-repartition"}) {
      List<String> internal =
          names.stream()
              .filter(t -> t.startsWith(applicationId + "-") && t.endsWith(kind))
              .toList();
      byKind.put(
          kind.substring(1),
          Rebuild.endOffsets(admin, internal).values().stream().mapToLong(Long::longValue).sum());
    }
    List<String> outputs =
        List.of(
            topics.channelMetrics,
            topics.channelRevenue,
            topics.channelRequestsMinute,
            topics.quarantinedEvents);
    byKind.put(
        "output",
        Rebuild.endOffsets(admin, outputs).values().stream().mapToLong(Long::longValue).sum());
    long total = byKind.values().stream().mapToLong(Long::longValue).sum();
    System.err.printf(
        "writes (end offsets, markers included): %s; %.2f per input record%n",
        byKind, records == 0 ? 0.0 : (double) total / records);
  }

  /** Where the stream threads spent their time: the ratios Kafka Streams measures itself. */
  private static void reportThreadRatios(StreamsApp app) {
    System.err.println();
    app.metrics()
        .forEach(
            (name, metric) -> {
              if (name.group().equals("stream-thread-metrics")
                  && (name.name().endsWith("-ratio")
                      || name.name().equals("commit-latency-avg")
                      || name.name().equals("process-rate")
                      || name.name().equals("poll-records-avg")
                      || name.name().equals("process-records-avg"))) {
                System.err.printf(
                    "  %s %s = %s%n",
                    name.tags().get("thread-id").replaceAll(".*-(StreamThread-\\d+)", "$1"),
                    name.name(),
                    metric.metricValue());
              }
            });
  }

  private static long offset(Map<TopicPartition, OffsetAndMetadata> committed, TopicPartition p) {
    OffsetAndMetadata o = committed.get(p);
    return o == null ? 0 : o.offset();
  }

  /** Records on the application's repartition topics not yet consumed. */
  private static long lag(
      Admin admin, Map<TopicPartition, OffsetAndMetadata> committed, String applicationId)
      throws Exception {
    List<String> repartitions =
        admin.listTopics().names().get().stream()
            .filter(t -> t.startsWith(applicationId + "-") && t.endsWith("-repartition"))
            .toList();
    return Rebuild.endOffsets(admin, repartitions).entrySet().stream()
        .mapToLong(e -> Math.max(0, e.getValue() - offset(committed, e.getKey())))
        .sum();
  }
}
