package dev.routemetrics.cli;

import dev.routemetrics.streams.StreamsApp;
import dev.routemetrics.streams.StreamsAppConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "streams",
    mixinStandardHelpOptions = true,
    description = {
      "Run the metrics topology (Kafka Streams, exactly_once_v2).",
      "It reads usage-events, billing-events and feedback-events and counts each event_id once.",
      "Conflicting, too-late and out-of-bounds records go to quarantined-events, counted by"
          + " reason.",
      "Events fold into MINUTE, HOUR and DAY tallies per channel; feedback counts in its request's"
          + " windows.",
      "It writes channel-metrics and channel-revenue (per currency); a window that changes later"
          + " is written again with a higher version.",
      "GET /health on routemetrics.streams.port (default 8092) gives its state, lag per"
          + " topic-partition and records dropped by reason; /metrics serves Prometheus metrics."
    })
final class StreamsCommand implements Callable<Integer> {

  @Mixin Settings settings;

  @Override
  public Integer call() throws InterruptedException {
    new StreamsApp(new StreamsAppConfig(settings.overrides)).runUntilShutdown();
    return 0;
  }
}
