package dev.routemetrics.cli.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.routemetrics.cli.options.IngestTarget;
import dev.routemetrics.simulator.load.SteadyLoad;
import dev.routemetrics.sink.clickhouse.ClickHouse;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import dev.routemetrics.tools.bench.FreshnessProbe;
import dev.routemetrics.tools.bench.PipelineProgress;
import dev.routemetrics.tools.bench.ProcessSampler;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The measuring parts of the end-to-end benchmark that {@code deploy/bench-e2e.sh} drives: the
 * script starts the servers and services, measures the baselines and sends the traffic; these watch
 * the pipeline, pace live traffic for freshness, and write the report.
 */
@Command(
    name = "bench-e2e",
    mixinStandardHelpOptions = true,
    description = {
      "Measurements of the whole pipeline, HTTP ingest to ClickHouse, for deploy/bench-e2e.sh.",
      "ClickHouse and the database come from the usual settings (ROUTEMETRICS_CLICKHOUSE_URL,"
          + " _DATABASE)."
    },
    subcommands = {BenchE2eCommand.Watch.class, BenchE2eCommand.Freshness.class, E2eReport.class})
public final class BenchE2eCommand {

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static PipelineProgress progress(String ingestUrl) {
    WarehouseConfig config = new WarehouseConfig(Map.of());
    return new PipelineProgress(new ClickHouse(config), config.database(), ingestUrl);
  }

  @Command(
      name = "watch",
      mixinStandardHelpOptions = true,
      description = {
        "Progress, CPU and memory over time, to OUT/samples.csv until stopped.",
        "Every --interval-ms: events the ingest accepted, events counted in ClickHouse's metrics,"
            + " and CPU, RSS and",
        "heap of each --process; a line is flushed as it is written."
      })
  static final class Watch implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "Directory of the run.")
    Path out;

    @Option(
        names = "--process",
        paramLabel = "NAME=PID",
        description = "A process to sample (repeatable).")
    Map<String, Long> processes = new LinkedHashMap<>();

    @Option(
        names = "--ingest-url",
        defaultValue = "http://127.0.0.1:8080",
        description = "Ingest base URL (default: ${DEFAULT-VALUE}).")
    String ingestUrl;

    @Option(
        names = "--interval-ms",
        defaultValue = "1000",
        description = "Sampling interval (default: ${DEFAULT-VALUE}).")
    long intervalMs;

    @Override
    public Integer call() throws Exception {
      Files.createDirectories(out);
      ProcessSampler sampler = new ProcessSampler(processes);
      PipelineProgress progress = progress(ingestUrl);
      try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out.resolve("samples.csv")))) {
        StringBuilder header = new StringBuilder("epoch_ms,accepted,counted");
        sampler
            .names()
            .forEach(
                n ->
                    header
                        .append(',')
                        .append(n)
                        .append("_cpu_pct,")
                        .append(n)
                        .append("_rss_mib,")
                        .append(n)
                        .append("_heap_mib"));
        csv.println(header);
        csv.flush();
        sampler.sample();
        while (!Thread.currentThread().isInterrupted()) {
          long next = System.currentTimeMillis() + intervalMs;
          StringBuilder line =
              new StringBuilder()
                  .append(System.currentTimeMillis())
                  .append(',')
                  .append(progress.acceptedByIngest())
                  .append(',')
                  .append(progress.countedInClickHouse());
          sampler
              .sample()
              .values()
              .forEach(
                  u ->
                      line.append(
                          String.format(
                              java.util.Locale.ROOT,
                              ",%.1f,%.1f,%.1f",
                              u.cpuPercent(),
                              u.rssMib(),
                              u.heapMib())));
          csv.println(line);
          csv.flush();
          Thread.sleep(Math.max(0, next - System.currentTimeMillis()));
        }
      }
      return 0;
    }
  }

  @Command(
      name = "freshness",
      mixinStandardHelpOptions = true,
      description = {
        "Event time to queryable, for live usage at a fixed rate.",
        "Sends usage stamped now at --rate for --seconds over HTTP, polls ClickHouse every 100 ms"
            + " for how many of",
        "those events its MINUTE windows hold, and reports p50, p99 and max; writes"
            + " OUT/freshness-RATE.{csv,json}."
      })
  static final class Freshness implements Callable<Integer> {

    @Mixin IngestTarget ingest;

    @Option(names = "--out", required = true, description = "Directory of the run.")
    Path out;

    @Option(
        names = "--rate",
        defaultValue = "5000",
        description = "Usage events per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(
        names = "--seconds",
        defaultValue = "120",
        description = "How long to send (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(
        names = "--patience",
        defaultValue = "120",
        description =
            "Seconds to wait after sending for the last events (default: ${DEFAULT-VALUE}).")
    int patience;

    @Override
    public Integer call() throws Exception {
      Files.createDirectories(out);
      PipelineProgress progress = progress(ingest.url());
      String runId = "live-" + Long.toString(System.currentTimeMillis(), 36);
      // Each rate's run counts only its own minutes: the previous run's last minute is left to it.
      Instant since = Instant.ofEpochSecond((Instant.now().getEpochSecond() / 60 + 1) * 60);
      Thread.sleep(Math.max(0, since.toEpochMilli() - System.currentTimeMillis()));
      // A request every 100 ms: the probe's resolution.
      int batch = Math.max(1, Math.min(1000, rate / 10));
      List<SteadyLoad.Sent> ticks = java.util.Collections.synchronizedList(new ArrayList<>());
      SteadyLoad traffic = new SteadyLoad(ingest.url(), ingest.apiKey(), runId);
      CompletableFuture<SteadyLoad.Result> sending =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return traffic.run(rate, batch, Duration.ofSeconds(seconds), ticks::add);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  throw new IllegalStateException("interrupted while sending", e);
                }
              });
      List<FreshnessProbe.Poll> polls = new ArrayList<>();
      long giveUpAt = Long.MAX_VALUE;
      long lastReport = 0;
      while (true) {
        long visible = progress.liveUsageInClickHouse(since);
        long now = System.currentTimeMillis();
        polls.add(new FreshnessProbe.Poll(now, visible));
        if (sending.isDone()) {
          SteadyLoad.Result sent = sending.join();
          giveUpAt = Math.min(giveUpAt, now + patience * 1000L);
          if (visible >= sent.accepted() || now > giveUpAt) {
            break;
          }
        }
        if (now - lastReport > 5_000) {
          System.err.printf("freshness: %,d live events in ClickHouse%n", visible);
          lastReport = now;
        }
        Thread.sleep(100);
      }
      SteadyLoad.Result sent = sending.join();
      List<FreshnessProbe.Latency> latencies = FreshnessProbe.latencies(ticks, polls);
      try (PrintWriter csv =
          new PrintWriter(Files.newBufferedWriter(out.resolve("freshness-" + rate + ".csv")))) {
        csv.println("sent_at_ms,visible_at_ms,latency_ms");
        latencies.forEach(
            l -> csv.println(l.sentAtMillis() + "," + l.visibleAtMillis() + "," + l.millis()));
      }
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("rate_per_second", rate);
      summary.put("seconds", seconds);
      summary.put("sent", sent.events());
      summary.put("accepted", sent.accepted());
      summary.put("failed_requests", sent.failedRequests());
      summary.put("ticks_measured", latencies.size());
      summary.put("ticks_sent", ticks.size());
      summary.put("p50_ms", FreshnessProbe.quantile(latencies, 0.50));
      summary.put("p99_ms", FreshnessProbe.quantile(latencies, 0.99));
      summary.put("max_ms", FreshnessProbe.quantile(latencies, 1.0));
      JSON.writeValue(out.resolve("freshness-" + rate + ".json").toFile(), summary);
      System.out.println("freshness: " + summary);
      return latencies.size() == ticks.size() && sent.failedRequests() == 0 ? 0 : 1;
    }
  }
}
