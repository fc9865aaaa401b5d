package dev.routemetrics.cli;

import dev.routemetrics.cli.options.IngestTarget;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.simulator.load.Freshness;
import dev.routemetrics.simulator.load.SteadyLoad;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "load-run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Run a bounded load at the ingest edge: usage events at a fixed rate for a fixed time.",
      "It runs on loopback and stops by itself.",
      "It reports request latency p50/p99 (from when each request was due) and freshness p50/p99"
          + " (the age of each accepted event when first read from its Kafka topic).",
      "With --pid it also samples the ingest's resident memory every 5 s, and its heap after a full"
          + " GC once warmed up and at the end.",
      "deploy/load-run.sh starts an ingest of its own and runs this against it.",
      "Exit code 0 only if every request was answered 202 and memory stayed within the bounds."
    })
final class LoadRunCommand implements Callable<Integer> {

  @Mixin IngestTarget ingest;

  @Option(
      names = "--rate",
      defaultValue = "2000",
      description = "Events per second (default: ${DEFAULT-VALUE}).")
  int rate;

  @Option(
      names = "--batch",
      defaultValue = "20",
      description = "Events per request (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--duration",
      defaultValue = "PT5M",
      description = "How long to send, ISO-8601 (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--warmup",
      defaultValue = "PT30S",
      description =
          "Load before the measured run, not counted; memory baselines are taken after it (default:"
              + " ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(
      names = "--kafka-bootstrap",
      defaultValue = "${env:ROUTEMETRICS_KAFKA_BOOTSTRAP:-127.0.0.1:9092}",
      description =
          "Broker the ingest writes to, for freshness (default: $ROUTEMETRICS_KAFKA_BOOTSTRAP or"
              + " ${DEFAULT-VALUE}).")
  String bootstrap;

  @Option(
      names = "--topic-namespace",
      defaultValue = "${env:ROUTEMETRICS_TOPIC_NAMESPACE:-}",
      description = "The ingest's topic namespace (default: $ROUTEMETRICS_TOPIC_NAMESPACE).")
  String namespace;

  @Option(
      names = "--pid",
      description = "The ingest's process id: sample its memory (jcmd and jstat on PATH).")
  Long pid;

  @Option(
      names = "--max-heap-growth-mb",
      defaultValue = "32",
      description =
          "Bound on heap after full GC, end minus after warm-up (default: ${DEFAULT-VALUE}).")
  long maxHeapGrowthMb;

  @Option(
      names = "--max-rss-growth-mb",
      defaultValue = "128",
      description =
          "Bound on resident memory, highest sample minus after warm-up (default:"
              + " ${DEFAULT-VALUE}).")
  long maxRssGrowthMb;

  // The sampler task catches its own failures; it is shut down before the report.
  @SuppressWarnings("FutureReturnValueIgnored")
  @Override
  public Integer call() throws Exception {
    String run = "load-" + Long.toString(System.currentTimeMillis(), 36);
    System.out.printf(
        "load run %s: %d events/s in requests of %d to %s for %s, after %s of warm-up%n",
        run, rate, batch, ingest.url(), duration, warmup);
    new SteadyLoad(ingest.url(), ingest.apiKey(), run + "-warmup").run(rate, batch, warmup);
    // RSS first: the full collection may give memory back to the OS, and the bound is on growth.
    long rssBefore = pid == null ? 0 : rssKb(pid);
    long heapBefore = pid == null ? 0 : heapAfterFullGcKb(pid);
    List<Long> rss = new ArrayList<>();
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    if (pid != null) {
      sampler.scheduleAtFixedRate(
          () -> {
            try {
              rss.add(rssKb(pid));
            } catch (IOException e) {
              rss.add(-1L);
            }
          },
          5,
          5,
          TimeUnit.SECONDS);
    }
    SteadyLoad.Result load;
    Freshness.Result fresh;
    try (Freshness freshness = new Freshness(bootstrap, new Topics(namespace).usageEvents)) {
      load = new SteadyLoad(ingest.url(), ingest.apiKey(), run).run(rate, batch, duration);
      fresh = freshness.stop(Duration.ofSeconds(2));
    } finally {
      sampler.shutdownNow();
    }
    System.out.printf(
        "requests: %,d of %,d events in %.1f s (%.0f events/s accepted); answers: %s%n",
        load.requests(),
        load.events(),
        load.seconds(),
        load.accepted() / load.seconds(),
        load.answers());
    System.out.printf(
        "latency (ms, from when each request was due): p50 %.1f, p99 %.1f, max %.1f%n",
        load.p50(), load.p99(), load.max());
    System.out.printf(
        "freshness (ms, event sent to first read from Kafka, %,d records): p50 %.0f, p99 %.0f, max"
            + " %.0f%n",
        fresh.records(), fresh.p50(), fresh.p99(), fresh.max());
    boolean ok =
        load.failedRequests() == 0
            && load.accepted() == load.events()
            && fresh.records() == load.events();
    if (!ok) {
      System.out.printf(
          "FAILED: %d requests not answered 202, %d of %d events read back from Kafka%n",
          load.failedRequests(), fresh.records(), load.events());
    }
    if (pid != null) {
      long heapAfter = heapAfterFullGcKb(pid);
      long rssMax = rss.stream().mapToLong(Long::longValue).max().orElse(rssBefore);
      System.out.printf(
          "ingest memory: heap after full GC %.1f MB after warm-up, %.1f MB at the end (bound +%d"
              + " MB); RSS %.1f MB after warm-up, highest %.1f MB over %d samples, %.1f MB at the"
              + " end (bound +%d MB)%n",
          heapBefore / 1024.0,
          heapAfter / 1024.0,
          maxHeapGrowthMb,
          rssBefore / 1024.0,
          rssMax / 1024.0,
          rss.size(),
          rssKb(pid) / 1024.0,
          maxRssGrowthMb);
      if (heapAfter - heapBefore > maxHeapGrowthMb * 1024
          || rssMax - rssBefore > maxRssGrowthMb * 1024) {
        System.out.println("FAILED: the ingest's memory grew beyond the bound");
        ok = false;
      }
    }
    return ok ? 0 : 1;
  }

  /** Resident set size of a process, from /proc. */
  static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IOException("no VmRSS for pid " + pid);
  }

  /**
   * Heap in use right after a full collection (jcmd GC.run, then jstat's survivor, eden and old
   * usage).
   */
  static long heapAfterFullGcKb(long pid) throws IOException, InterruptedException {
    run("jcmd", Long.toString(pid), "GC.run");
    List<String> lines = run("jstat", "-gc", Long.toString(pid));
    String[] names = lines.get(0).trim().split("\\s+");
    String[] values = lines.get(1).trim().split("\\s+");
    double used = 0;
    for (int i = 0; i < names.length; i++) {
      if (List.of("S0U", "S1U", "EU", "OU").contains(names[i])) {
        used += Double.parseDouble(values[i]);
      }
    }
    return Math.round(used);
  }

  private static List<String> run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> lines =
        new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
            .lines()
            .toList();
    if (process.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + lines);
    }
    return lines;
  }
}
