package dev.routemetrics.cli;

import dev.routemetrics.warehouse.WarehouseConfig;
import dev.routemetrics.warehouse.sink.Sink;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "sink", mixinStandardHelpOptions = true,
    description = "Apply the ClickHouse migrations, then move the metric topics into ClickHouse, exactly once in effect.")
final class SinkCommand implements Callable<Integer> {

  @Mixin Settings settings;

  @Override
  public Integer call() throws Exception {
    Sink sink = new Sink(new WarehouseConfig(settings.overrides)).start();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        sink.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      stop.countDown();
    }));
    stop.await();
    return 0;
  }
}
