package dev.routemetrics.cli;

import dev.routemetrics.ingest.EventFamilies;
import dev.routemetrics.ingest.EventFamily;
import dev.routemetrics.ingest.EventPublisher;
import dev.routemetrics.ingest.IngestConfig;
import dev.routemetrics.ingest.load.FileLoader;
import dev.routemetrics.ingest.load.RecordReader;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = {
      "Backfill a file of events into Kafka with the edge's validation.",
      "Records that do not validate go to the dead-letter topic with their line and reason.",
      "Rerunning a file is safe: event ids make every event count once."
    })
final class LoadCommand implements Callable<Integer> {

  @Mixin Settings settings;

  @Parameters(
      index = "0",
      description =
          "The file: NDJSON (one JSON event a line) or CSV (a header row of field names).")
  Path file;

  @Option(
      names = "--family",
      defaultValue = "usage",
      description =
          "Event family of the file: usage, billing or feedback (default: ${DEFAULT-VALUE}).")
  String family;

  @Option(
      names = "--format",
      description = "NDJSON or CSV (default: from the file name, .csv is CSV).")
  RecordReader.Format format;

  @Option(
      names = "--batch",
      defaultValue = "5000",
      description =
          "Records in flight before waiting for Kafka's acknowledgement (default:"
              + " ${DEFAULT-VALUE}).")
  int batch;

  @Override
  public Integer call() throws Exception {
    IngestConfig config = new IngestConfig(settings.overrides);
    ChannelRegistry registry = ChannelRegistry.load(config.getString(IngestConfig.REGISTRY));
    EventFamily<?> events =
        EventFamilies.named(
            family,
            registry,
            Clock.systemUTC(),
            Duration.ofMillis(config.getLong(IngestConfig.MAX_FUTURE_SKEW_MS)));
    RecordReader.Format chosen =
        format != null
            ? format
            : file.toString().endsWith(".csv")
                ? RecordReader.Format.CSV
                : RecordReader.Format.NDJSON;
    Topics topics = new Topics(config.getString(IngestConfig.TOPIC_NAMESPACE));
    String bootstrap = config.getString(IngestConfig.KAFKA_BOOTSTRAP);
    new TopicProvisioner(bootstrap, config.getInt(IngestConfig.PARTITIONS)).ensure(topics);
    long size = Math.max(1, Files.size(file));
    long started = System.nanoTime();
    try (EventPublisher publisher =
        new EventPublisher(bootstrap, config.getInt(IngestConfig.ACK_TIMEOUT_MS))) {
      FileLoader.Result result =
          new FileLoader(publisher, topics, batch)
              .load(
                  file,
                  chosen,
                  events,
                  bytes ->
                      ProgressBar.show(
                          "loading " + file.getFileName(), Math.min(bytes, size), size));
      System.err.println();
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(
          "loaded %d %s events, %d to %s (dead letters), in %.1f s%n",
          result.loaded(), family, result.deadLettered(), topics.deadLetters, seconds);
      return result.deadLettered() == 0 ? 0 : 3;
    }
  }
}
