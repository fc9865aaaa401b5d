package dev.routemetrics.cli;

import dev.routemetrics.ingest.IngestConfig;
import dev.routemetrics.ingest.IngestServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description =
        "Run the HTTP edge: POST /v1/events/{usage,billing,feedback}; answers 2xx only after Kafka"
            + " acknowledged.")
final class IngestCommand implements Callable<Integer> {

  @Mixin Settings settings;

  @Override
  public Integer call() throws InterruptedException {
    return UntilShutdown.run(new IngestServer(new IngestConfig(settings.overrides)).start());
  }
}
