package dev.routemetrics.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.routemetrics.query.ChannelRequests;
import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.simulator.HttpSender;
import dev.routemetrics.simulator.UsageBurst;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "demo-traffic",
    mixinStandardHelpOptions = true,
    description =
        "Send a seeded burst of usage over all seven routes to the ingest service and print the"
            + " requests it implies.")
final class DemoTrafficCommand implements Callable<Integer> {

  @Option(
      names = "--url",
      defaultValue = "http://127.0.0.1:8080",
      description = "Ingest base URL (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(
      names = "--api-key",
      defaultValue = "${env:ROUTEMETRICS_API_KEY}",
      required = true,
      description =
          "API key to send with (default: $ROUTEMETRICS_API_KEY; create one with `routemetrics keys"
              + " add`).")
  String apiKey;

  @Option(
      names = "--events-per-channel",
      defaultValue = "200",
      description = "Usage events per channel (default: ${DEFAULT-VALUE}).")
  int perChannel;

  @Option(
      names = "--minutes",
      defaultValue = "10",
      description =
          "Spread the events over this many minutes ending now (default: ${DEFAULT-VALUE}).")
  int minutes;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Random seed; the same seed sends the same events (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--concurrency",
      defaultValue = "8",
      description = "Requests in flight (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--expected-out",
      description =
          "Write the requests ClickHouse should hold over the burst's time range once it has landed"
              + " (what it held before, plus the burst) to this JSON file, for `report --expect`.")
  Path expectedOut;

  @Mixin Settings settings;

  @Override
  public Integer call() throws Exception {
    Instant start =
        Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(minutes));
    Instant until = start.plus(Duration.ofMinutes(minutes));
    // An earlier burst may share these minutes: count from what ClickHouse already holds.
    Map<String, Long> baseline = new TreeMap<>();
    if (expectedOut != null) {
      WarehouseConfig config = new WarehouseConfig(settings.overrides);
      new ChannelRequests(new ClickHouse(config), config.database())
          .between(start, until)
          .forEach(row -> baseline.put(row.channelId(), row.requests()));
    }
    List<UsageBurst.Event> events =
        new UsageBurst(ChannelRegistry.builtIn(), seed).generate(start, perChannel, minutes);
    long total = events.size();
    HttpSender.Result result =
        new HttpSender(url, apiKey)
            .send(
                events,
                concurrency,
                done -> {
                  if (done % 100 == 0 || done == total) {
                    ProgressBar.show("sending", done, total);
                  }
                });
    System.err.println();
    System.out.printf("accepted %d, rejected %d%n", result.accepted(), result.rejected());
    System.out.printf("%-22s %12s%n", "channel", "requests sent");
    Map<String, Long> expected = UsageBurst.expectedRequests(events);
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      System.out.printf("%-22s %12d%n", e.getKey(), e.getValue());
    }
    if (expectedOut != null) {
      Map<String, Long> afterwards = new TreeMap<>(baseline);
      expected.forEach((channel, requests) -> afterwards.merge(channel, requests, Long::sum));
      new ObjectMapper()
          .writerWithDefaultPrettyPrinter()
          .writeValue(
              expectedOut.toFile(),
              new Expectation(start.toString(), until.toString(), afterwards));
    }
    return result.rejected() == 0 ? 0 : 2;
  }
}
