package dev.routemetrics.cli;

import dev.routemetrics.cli.options.IngestTarget;
import dev.routemetrics.schemas.config.KafkaSettings;
import dev.routemetrics.schemas.registry.ChannelChange;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.registry.ChannelRegistryPublisher;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.simulator.EventJson;
import dev.routemetrics.simulator.expected.ExpectedMetrics;
import dev.routemetrics.simulator.expected.WindowSize;
import dev.routemetrics.simulator.output.EventSink;
import dev.routemetrics.simulator.output.ExpectedMetricsFile;
import dev.routemetrics.simulator.output.HttpEventSink;
import dev.routemetrics.simulator.output.KafkaEventSink;
import dev.routemetrics.simulator.output.NdjsonFiles;
import dev.routemetrics.simulator.output.ProgressBar;
import dev.routemetrics.simulator.traffic.Faults;
import dev.routemetrics.simulator.traffic.SimulationPlan;
import dev.routemetrics.simulator.traffic.TrafficSimulator;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Simulate seeded, realistic traffic over all seven routes for a period, with the duplicates,"
          + " conflicts, late and too-late events, refunds, skewed partner statements and malformed"
          + " records reality sends.",
      "Writes the events (NDJSON files, HTTP to the ingest, or straight to Kafka) and always"
          + " expected-metrics.json: the metrics they imply, computed independently of the"
          + " pipeline.",
      "The same options and seed produce the same events, byte for byte.",
      ""
    })
final class SimulateCommand implements Callable<Integer> {

  @Mixin IngestTarget ingest;

  enum Target {
    file,
    http,
    kafka
  }

  static final String REGISTRY_CHANGES_FILE = "channel-registry-changes.ndjson";

  @Option(
      names = "--start",
      defaultValue = "2026-11-20T00:00:00Z",
      description =
          "First instant of the simulated period, ISO-8601 UTC, whole minutes (default:"
              + " ${DEFAULT-VALUE}; the built-in registry changes at noon that day).")
  Instant start;

  @Option(
      names = "--duration",
      defaultValue = "P1D",
      description =
          "Length of the period, ISO-8601 duration such as P1D, PT6H or P7D (default:"
              + " ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--events",
      defaultValue = "100000",
      description =
          "About how many records to produce in total; the rate per minute follows from it"
              + " (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--to",
      defaultValue = "file",
      description =
          "Where the events go: file (NDJSON per family in --out), http (POST to --url), kafka"
              + " (topics at --kafka-bootstrap). The registry history goes along:"
              + " channel-registry-changes.ndjson in --out, or the channel-registry-changes topic."
              + " Default: ${DEFAULT-VALUE}.")
  Target target;

  @Option(
      names = "--out",
      defaultValue = "simulation",
      description =
          "Directory for the event files and expected-metrics.json (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--concurrency",
      defaultValue = "8",
      description = "HTTP requests in flight for --to http (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--batch",
      defaultValue = "100",
      description =
          "Events per request for --to http, each request of one family; arrival order is kept"
              + " within concurrency × batch records (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--kafka-bootstrap",
      defaultValue = KafkaSettings.DEFAULT_BOOTSTRAP,
      description = "Kafka bootstrap servers for --to kafka (default: ${DEFAULT-VALUE}).")
  String bootstrap;

  @Option(
      names = "--partitions",
      defaultValue =
          "${env:ROUTEMETRICS_TOPIC_PARTITIONS:-" + TopicProvisioner.DEFAULT_PARTITIONS + "}",
      description =
          "Partitions of the topics --to kafka creates when missing, as"
              + " routemetrics.topic.partitions (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--topic-namespace",
      defaultValue = "",
      description = "Prefix of the topic names for --to kafka, e.g. test-42- (default: none).")
  String namespace;

  @Option(
      names = "--registry",
      defaultValue = "",
      description =
          "Channel registry JSON file; empty uses the built-in registry (default: built-in).")
  String registry;

  @Option(
      names = "--windows",
      split = ",",
      defaultValue = "MINUTE,HOUR,DAY",
      description =
          "Window sizes written to expected-metrics.json: ${COMPLETION-CANDIDATES} (default:"
              + " ${DEFAULT-VALUE}).")
  Set<WindowSize> windows;

  @Option(
      names = "--duplicate-rate",
      defaultValue = "0.005",
      description = "Share of events sent twice, byte for byte (default: ${DEFAULT-VALUE}).")
  double duplicateRate;

  @Option(
      names = "--conflict-rate",
      defaultValue = "0.001",
      description =
          "Share of usage and feedback events followed by a different payload under the same"
              + " event_id (default: ${DEFAULT-VALUE}).")
  double conflictRate;

  @Option(
      names = "--late-rate",
      defaultValue = "0.01",
      description =
          "Share of events delivered 2 minutes to 6 days after they happened; still counted"
              + " (default: ${DEFAULT-VALUE}).")
  double lateRate;

  @Option(
      names = "--too-late-rate",
      defaultValue = "0.001",
      description =
          "Extra usage events per usage event that are more than 7 days behind the traffic; set"
              + " aside (default: ${DEFAULT-VALUE}).")
  double tooLateRate;

  @Option(
      names = "--malformed-rate",
      defaultValue = "0.0005",
      description =
          "Extra records per usage event with an invalid field; rejected at the edge (default:"
              + " ${DEFAULT-VALUE}).")
  double malformedRate;

  @Option(
      names = "--refund-rate",
      defaultValue = "0.03",
      description =
          "Share of the lab's hourly charges later partly refunded (default: ${DEFAULT-VALUE}).")
  double refundRate;

  @Option(
      names = "--statement-skew",
      paramLabel = "CHANNEL=PERCENT",
      description =
          "How far a partner's daily statement overstates (+) or understates (-) the metered"
              + " requests and money, in percent; repeatable (default: cloud-nimbus=3.0).")
  Map<String, BigDecimal> statementSkew =
      new LinkedHashMap<>(SimulationPlan.DEFAULT_STATEMENT_SKEW);

  @Option(
      names = "--latest-event-time",
      description =
          "No event happens after this instant (feedback, refunds and statements that would are not"
              + " generated). Default: none for --to file; the time of the run for http and kafka,"
              + " whose edge and broker refuse future events.")
  Instant latestEventTime;

  @Option(names = "--no-progress", description = "Do not draw the progress bar on stderr.")
  boolean noProgress;

  @Override
  public Integer call() throws Exception {
    ChannelRegistry channels = ChannelRegistry.load(registry);
    SimulationPlan plan =
        new SimulationPlan(
            start,
            start.plus(duration),
            seed,
            events,
            new Faults(
                duplicateRate, conflictRate, lateRate, tooLateRate, malformedRate, refundRate),
            statementSkew,
            latestEventTime != null
                ? latestEventTime
                : target == Target.file ? Instant.MAX : Instant.now());
    Files.createDirectories(out);
    publishRegistry(channels);
    long began = System.nanoTime();
    ExpectedMetrics expected = new ExpectedMetrics(channels);
    TrafficSimulator.Summary summary;
    EventSink sink = sink();
    try {
      summary =
          new TrafficSimulator(channels, plan)
              .run(
                  sink::accept,
                  expected::accept,
                  noProgress ? (done, total, delivered) -> {} : new ProgressBar(System.err));
    } finally {
      sink.close(); // waits for everything in flight, so the description below is final
    }
    System.out.println(sink.describe());
    double simulated = (System.nanoTime() - began) / 1e9;
    Path expectedFile = out.resolve(ExpectedMetricsFile.NAME);
    ExpectedMetricsFile.write(
        expectedFile,
        plan,
        summary,
        expected.result(),
        windows.isEmpty() ? EnumSet.allOf(WindowSize.class) : windows);
    System.out.printf(
        "%,d records (accepted events %s; deliveries %s) in %.1f s; expected metrics in %s (%.1f s"
            + " in all)%n",
        summary.delivered(),
        summary.acceptedEvents(),
        summary.deliveries(),
        simulated,
        expectedFile,
        (System.nanoTime() - began) / 1e9);
    return 0;
  }

  /**
   * The registry history travels with the events: metrics for past windows need the registry as it
   * was then.
   */
  private void publishRegistry(ChannelRegistry channels) throws Exception {
    switch (target) {
      case kafka -> {
        Topics topics = new Topics(namespace);
        new TopicProvisioner(bootstrap, partitions).ensure(topics);
        try (ChannelRegistryPublisher publisher =
            new ChannelRegistryPublisher(bootstrap, topics.channelRegistryChanges)) {
          System.out.printf(
              "published %d registry changes to %s%n",
              publisher.publish(channels), topics.channelRegistryChanges);
        }
      }
      case file -> {
        StringBuilder lines = new StringBuilder();
        for (ChannelChange change : channels.changes()) {
          lines.append(EventJson.toJson(ChannelRegistryPublisher.toEvent(change))).append('\n');
        }
        Files.writeString(out.resolve(REGISTRY_CHANGES_FILE), lines);
      }
      case http -> {} // the edge has no registry endpoint; the pipeline reads the registry file or
        // topic
    }
  }

  private EventSink sink() {
    return switch (target) {
      case file -> new NdjsonFiles(out);
      case http ->
          new HttpEventSink(
              ingest.url(), ingest.apiKey(), concurrency, batch, Duration.ofSeconds(30));
      case kafka -> new KafkaEventSink(bootstrap, new Topics(namespace));
    };
  }
}
