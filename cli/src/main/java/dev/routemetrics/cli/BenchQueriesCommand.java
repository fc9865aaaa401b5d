package dev.routemetrics.cli;

import dev.routemetrics.tools.bench.QueriesBench;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "bench-queries",
    mixinStandardHelpOptions = true,
    description = {
      "Measure the audience queries: the time of each view over a month of metric rows.",
      "It fills a fresh database with the metric rows a month of traffic (--events in all, over"
          + " every channel) produces",
      "in MINUTE, HOUR and DAY windows, then times each view --runs times over the range its"
          + " audience looks at.",
      "Prints p50 and p95 per view in milliseconds."
    })
final class BenchQueriesCommand implements Callable<Integer> {

  @Option(
      names = "--events",
      defaultValue = "10000000",
      description = "Events the rows stand for (default: ${DEFAULT-VALUE}).")
  long events;

  @Option(
      names = "--days",
      defaultValue = "30",
      description = "Days of traffic (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--runs",
      defaultValue = "50",
      description = "Timed runs per view (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--keep", description = "Keep the database afterwards.")
  boolean keep;

  @Override
  public Integer call() throws Exception {
    QueriesBench.Result result = QueriesBench.run(events, days, runs, keep, System.err);
    System.out.println("| view | window, range | rows | p50 ms | p95 ms |");
    System.out.println("|---|---|---:|---:|---:|");
    result.timings().forEach(timing -> System.out.println(timing.line()));
    return 0;
  }
}
