package dev.routemetrics.cli;

import dev.routemetrics.tools.bench.StreamsBench;
import dev.routemetrics.tools.bench.StreamsCeiling;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "bench-streams",
    mixinStandardHelpOptions = true,
    description = {
      "Measure the metrics topology: input records per second over event topics already filled.",
      "It runs the topology with a fresh application id (deploy/bench-streams.sh fills the topics"
          + " with",
      "`simulate --to kafka`) until its committed offsets reach the end of every input topic.",
      "Prints: input_records seconds records_per_s startup_s threads",
      "With --ceiling, instead: what Kafka Streams itself costs on the same usage events, one line",
      "per kind of work (NOTHING, DECODE, ONE_STORE, TWO_STORES): work records seconds"
          + " records_per_s"
    })
final class BenchStreamsCommand implements Callable<Integer> {

  @Option(
      names = "--topic-namespace",
      required = true,
      description = "Namespace of the filled event topics.")
  String namespace;

  @Option(
      names = "--threads",
      defaultValue = "0",
      description =
          "Stream threads (default: the streams app's, one per processor this JVM may use).")
  int threads;

  @Option(
      names = "--application-id",
      description =
          "Application id to join (default: a fresh one). Start several processes with the same id"
              + " at once to measure that many instances sharing the tasks; each finishes when the"
              + " group as a whole is done.")
  String sharedApplicationId;

  @Option(
      names = "--show-thread-ratios",
      description =
          "Every 2 s, print where the stream threads spend their time (poll, process, commit,"
              + " punctuate).")
  boolean showRatios;

  @Option(
      names = "--ceiling",
      description =
          "Instead of the topology: Kafka Streams with the app's settings (exactly_once_v2) on the"
              + " usage events, doing nothing, decoding them, and writing one or two RocksDB"
              + " stores with changelogs per event.")
  boolean ceiling;

  @Override
  public Integer call() throws Exception {
    if (ceiling) {
      for (StreamsCeiling.Row row : StreamsCeiling.run(namespace, threads, Map.of(), System.err)) {
        System.out.println(row.line());
      }
      return 0;
    }
    System.out.println(
        StreamsBench.run(namespace, threads, sharedApplicationId, showRatios, Map.of(), System.err)
            .line());
    return 0;
  }
}
