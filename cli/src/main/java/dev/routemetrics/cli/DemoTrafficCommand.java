package dev.routemetrics.cli;

import dev.routemetrics.schemas.registry.ChannelRegistry;
import dev.routemetrics.simulator.HttpSender;
import dev.routemetrics.simulator.UsageBurst;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo-traffic", mixinStandardHelpOptions = true,
    description = "Send a seeded burst of usage over all seven routes to the ingest service and print the requests it implies.")
final class DemoTrafficCommand implements Callable<Integer> {

  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Ingest base URL (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--events-per-channel", defaultValue = "200", description = "Usage events per channel (default: ${DEFAULT-VALUE}).")
  int perChannel;

  @Option(names = "--minutes", defaultValue = "10", description = "Spread the events over this many minutes ending now (default: ${DEFAULT-VALUE}).")
  int minutes;

  @Option(names = "--seed", defaultValue = "42", description = "Random seed; the same seed sends the same events (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--concurrency", defaultValue = "8", description = "Requests in flight (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Override
  public Integer call() throws Exception {
    Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(minutes));
    List<UsageBurst.Event> events = new UsageBurst(ChannelRegistry.builtIn(), seed).generate(start, perChannel, minutes);
    long total = events.size();
    HttpSender.Result result = new HttpSender(url).send(events, concurrency, done -> {
      if (done % 100 == 0 || done == total) {
        System.err.printf("\rsent %d/%d events (%d%%)", done, total, done * 100 / total);
      }
    });
    System.err.println();
    System.out.printf("accepted %d, rejected %d%n", result.accepted(), result.rejected());
    System.out.printf("%-22s %12s%n", "channel", "requests sent");
    for (Map.Entry<String, Long> e : UsageBurst.expectedRequests(events).entrySet()) {
      System.out.printf("%-22s %12d%n", e.getKey(), e.getValue());
    }
    return result.rejected() == 0 ? 0 : 2;
  }
}
