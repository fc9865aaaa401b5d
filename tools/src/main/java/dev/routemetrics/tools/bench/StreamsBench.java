package dev.routemetrics.tools.bench;

import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.streams.StreamsApp;
import dev.routemetrics.streams.StreamsAppConfig;
import dev.routemetrics.tools.rebuild.Rebuild;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The metrics topology's benchmark (bin/routemetrics bench-streams, deploy/bench-streams.sh): over
 * event topics already filled, the topology under a fresh (or a shared) application id runs until
 * its committed offsets reach the end of every input topic and its repartition topics are drained.
 * The clock starts at the app's start and stops there; closing the app and counting its writes are
 * not processing.
 */
public final class StreamsBench {

  /**
   * What one run measured: the input records, the seconds from start to done, the seconds before
   * the first committed progress, the broker writes by kind (changelog, repartition, output; end
   * offsets of topics fresh for the run, transaction markers included), and the stream threads it
   * ran with.
   */
  public record Result(
      long records, double seconds, double startup, Map<String, Long> writes, int threads) {

    /** input_records seconds records_per_s startup_s threads */
    public String line() {
      return String.format(
          java.util.Locale.ROOT,
          "%d %.1f %.0f %.1f %d",
          records,
          seconds,
          records / seconds,
          startup,
          threads);
    }

    /** Broker writes per input record. */
    public double writesPerRecord() {
      long total = writes.values().stream().mapToLong(Long::longValue).sum();
      return records == 0 ? 0.0 : (double) total / records;
    }
  }

  private StreamsBench() {}

  /**
   * Runs the topology with {@code threads} stream threads over the event topics of {@code
   * namespace}; {@code applicationId} null for a fresh one. Progress goes to {@code progress}, with
   * the stream threads' time ratios every 2 s when {@code showRatios}.
   */
  public static Result run(
      String namespace,
      int threads,
      String applicationId,
      boolean showRatios,
      Map<String, Object> overrides,
      PrintStream progress)
      throws Exception {
    Topics topics = new Topics(namespace);
    String id =
        applicationId != null ? applicationId : "bench-streams-" + System.currentTimeMillis();
    Map<String, Object> settings = new HashMap<>(overrides);
    settings.put(StreamsAppConfig.TOPIC_NAMESPACE, namespace);
    settings.put(StreamsAppConfig.APPLICATION_ID, id);
    settings.put(StreamsAppConfig.STATE_DIR, Files.createTempDirectory("bench-streams").toString());
    if (threads > 0) { // else the streams app's default, one per processor
      settings.put(StreamsAppConfig.THREADS, String.valueOf(threads));
    }
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
              admin.listConsumerGroupOffsets(id).partitionsToOffsetAndMetadata().get();
          long done = end.keySet().stream().mapToLong(p -> offset(committed, p)).sum();
          if (firstProgress == 0 && done > 0) {
            firstProgress = System.nanoTime();
          }
          // Done when every input record is consumed and every internal repartition topic is
          // drained too.
          long internalLag = done < records ? -1 : lag(admin, committed, id);
          progress.printf(
              "\rconsumed %,d of %,d input records; internal lag %,d   ",
              done, records, internalLag);
          if (done >= records && internalLag == 0) {
            finished = System.nanoTime();
            reportThreadRatios(app, progress);
            break;
          }
          if (showRatios && ++polls % 8 == 0) {
            reportThreadRatios(app, progress);
          }
          Thread.sleep(250);
        }
      }
      progress.println();
      Map<String, Long> writes = writes(admin, id, topics);
      if (applicationId == null) {
        // Its changelogs keep their records (retention -1): left behind, a few runs' worth slowed
        // the broker down for every later run (the same code measured 18k, then 14k records/s).
        List<String> internal = internalTopics(admin, id);
        admin.deleteTopics(internal).all().get();
        progress.printf("deleted the run's %d internal topics%n", internal.size());
      }
      Result result =
          new Result(
              records,
              (finished - started) / 1e9,
              (firstProgress - started) / 1e9,
              writes,
              config.getInt(StreamsAppConfig.THREADS));
      progress.printf(
          java.util.Locale.ROOT,
          "writes (end offsets, markers included): %s; %.2f per input record%n",
          writes,
          result.writesPerRecord());
      return result;
    }
  }

  /**
   * Broker writes, counted: the end offsets of every topic the topology wrote (its changelogs,
   * repartition topics and outputs, all fresh for this run). Offsets include the transaction
   * markers of each commit, one per partition written.
   */
  private static Map<String, Long> writes(Admin admin, String applicationId, Topics topics)
      throws Exception {
    Set<String> names = admin.listTopics().names().get();
    Map<String, Long> byKind = new TreeMap<>();
    for (String kind : new String[] {"-changelog", "-repartition"}) {
      List<String> internal =
          names.stream()
              .filter(t -> t.startsWith(applicationId + "-") && t.endsWith(kind))
              .toList();
      byKind.put(kind.substring(1), sum(Rebuild.endOffsets(admin, internal)));
    }
    List<String> outputs =
        List.of(topics.channelMetrics, topics.channelRevenue, topics.quarantinedEvents);
    byKind.put("output", sum(Rebuild.endOffsets(admin, outputs)));
    return byKind;
  }

  private static List<String> internalTopics(Admin admin, String applicationId) throws Exception {
    return admin.listTopics().names().get().stream()
        .filter(
            t ->
                t.startsWith(applicationId + "-")
                    && (t.endsWith("-changelog") || t.endsWith("-repartition")))
        .toList();
  }

  private static long sum(Map<TopicPartition, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Where the stream threads spent their time: the ratios Kafka Streams measures itself. */
  private static void reportThreadRatios(StreamsApp app, PrintStream progress) {
    progress.println();
    app.metrics()
        .forEach(
            (name, metric) -> {
              if (name.group().equals("stream-thread-metrics")
                  && (name.name().endsWith("-ratio")
                      || name.name().equals("commit-latency-avg")
                      || name.name().equals("process-rate")
                      || name.name().equals("poll-records-avg")
                      || name.name().equals("process-records-avg"))) {
                progress.printf(
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
