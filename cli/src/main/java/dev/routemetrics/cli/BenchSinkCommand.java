package dev.routemetrics.cli;

import dev.routemetrics.tools.bench.SinkBench;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "bench-sink",
    mixinStandardHelpOptions = true,
    description = {
      "Measure the sink: the time from its first record read until ClickHouse holds N metric rows.",
      "It puts N metric rows on a fresh topic, times the sink until ClickHouse has them all, and"
          + " writes the same rows",
      "as TSV for clickhouse-client to insert in the same run (deploy/bench-sink.sh).",
      "The sink first runs once over --warmup-rows rows dated 2025 (timed too: the cold figure),"
          + " stops, and is started again,",
      "in the same JVM, for the N rows dated 2026 (the warm figure): a service that runs for days"
          + " is measured after its JIT warm-up.",
      "Prints: rows seconds rows_per_s database startup_seconds warmup_rows warmup_seconds"
          + " warmup_rows_per_s"
    })
final class BenchSinkCommand implements Callable<Integer> {

  @Option(
      names = "--rows",
      defaultValue = "200000",
      description = "Rows to write (default: ${DEFAULT-VALUE}).")
  int rows;

  @Option(
      names = "--warmup-rows",
      defaultValue = "200000",
      description =
          "Rows the sink moves, timed apart, before the measured ones; 0 for none (default:"
              + " ${DEFAULT-VALUE}).")
  int warmupRows;

  @Option(
      names = "--tsv",
      required = true,
      description = "Where to write the same rows as TabSeparated.")
  Path tsv;

  @Override
  public Integer call() throws Exception {
    System.out.println(SinkBench.run(Map.of(), rows, warmupRows, tsv).line());
    return 0;
  }
}
