package dev.routemetrics.cli;

import dev.routemetrics.cli.options.IngestTarget;
import dev.routemetrics.ingest.EventFamilies;
import dev.routemetrics.ingest.EventFamily;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.simulator.load.IngestLoad;
import dev.routemetrics.simulator.load.UsageBurst;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "bench-ingest",
    mixinStandardHelpOptions = true,
    description = {
      "Measure the ingest edge: accepted events/s at a batch size (deploy/bench-ingest.sh runs it"
          + " beside Kafka's ProducerPerformance).",
      "Prints one line: batch_size events accepted failed_requests seconds events_per_s"
    })
final class BenchIngestCommand implements Callable<Integer> {

  @Mixin IngestTarget ingest;

  @Option(
      names = "--events",
      defaultValue = "100000",
      description = "Events to send (default: ${DEFAULT-VALUE}).")
  int events;

  @Option(
      names = "--batch",
      defaultValue = "1000",
      description = "Events per request (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--concurrency",
      defaultValue = "16",
      description = "Requests in flight (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--record-size",
      description = "Only print the mean size in bytes of the events' Kafka records, and exit.")
  boolean recordSize;

  @Override
  public Integer call() throws Exception {
    ChannelRegistry registry = ChannelRegistry.builtIn();
    int channels = registry.channels().size();
    Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(30));
    List<UsageBurst.Event> load =
        new UsageBurst(registry, System.nanoTime())
            .generate(start, Math.max(1, events / channels), 30);
    if (recordSize) {
      System.out.println(meanRecordBytes(registry, load));
      return 0;
    }
    IngestLoad.Result r =
        new IngestLoad(ingest.url(), ingest.apiKey()).run(load, batch, concurrency);
    System.out.printf(
        "%d %d %d %d %.2f %.0f%n",
        r.batchSize(),
        r.events(),
        r.accepted(),
        r.failedRequests(),
        r.seconds(),
        r.eventsPerSecond());
    return r.failedRequests() == 0 ? 0 : 1;
  }

  @SuppressWarnings("unchecked")
  private static long meanRecordBytes(ChannelRegistry registry, List<UsageBurst.Event> load) {
    EventFamily<Object> usage =
        (EventFamily<Object>)
            EventFamilies.named("usage", registry, Clock.systemUTC(), Duration.ofMinutes(5));
    long bytes = 0;
    for (UsageBurst.Event event : load) {
      bytes += usage.encode(usage.parse(event.json())).length;
    }
    return Math.round((double) bytes / load.size());
  }
}
