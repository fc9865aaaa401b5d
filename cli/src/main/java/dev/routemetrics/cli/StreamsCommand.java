package dev.routemetrics.cli;

import dev.routemetrics.streams.StreamsApp;
import dev.routemetrics.streams.StreamsAppConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "streams", mixinStandardHelpOptions = true,
    description = "Run the metrics topology (exactly_once_v2): usage events to requests per channel per minute.")
final class StreamsCommand implements Callable<Integer> {

  @Mixin Settings settings;

  @Override
  public Integer call() throws InterruptedException {
    new StreamsApp(new StreamsAppConfig(settings.overrides)).runUntilShutdown();
    return 0;
  }
}
