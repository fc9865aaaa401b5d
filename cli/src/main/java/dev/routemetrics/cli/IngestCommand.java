package dev.routemetrics.cli;

import dev.routemetrics.ingest.IngestConfig;
import dev.routemetrics.ingest.IngestServer;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "Run the HTTP edge: POST /v1/events/usage; answers 202 only after Kafka acknowledged.")
final class IngestCommand implements Callable<Integer> {

  @Mixin Settings settings;

  @Override
  public Integer call() throws InterruptedException {
    IngestServer server = new IngestServer(new IngestConfig(settings.overrides)).start();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stop.countDown();
    }));
    stop.await();
    return 0;
  }
}
