package dev.routemetrics.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Turns one run's samples, freshness and baselines into result.json, result.md and plot.png. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "One run's figures beside its baselines: OUT/result.json, OUT/result.md and OUT/plot.png.",
      "Reads OUT/samples.csv and OUT/freshness-RATE.{csv,json}."
    })
final class E2eReport implements Callable<Integer> {

  @Option(names = "--out", required = true, description = "Directory of the run.")
  Path out;

  @Option(
      names = "--events",
      required = true,
      description = "Records the simulator delivered to the ingest.")
  long events;

  @Option(
      names = "--e2e-seconds",
      required = true,
      description =
          "From the first record sent to every metric in ClickHouse equal to the expectation.")
  double e2eSeconds;

  @Option(
      names = "--send-seconds",
      required = true,
      description = "From the first record sent to the last one accepted.")
  double sendSeconds;

  @Option(
      names = "--producer-rate",
      required = true,
      description = "Kafka ProducerPerformance records/s in the same run.")
  double producerRate;

  @Option(
      names = "--clickhouse-rate",
      required = true,
      description = "clickhouse-client rows/s inserting the same records in the same run.")
  double clickhouseRate;

  @Override
  public Integer call() throws IOException {
    List<String[]> samples =
        Files.readAllLines(out.resolve("samples.csv")).stream().map(l -> l.split(",")).toList();
    String[] header = samples.get(0);
    List<String[]> rows = samples.subList(1, samples.size());
    List<Path> freshnessFiles;
    try (var files = Files.list(out)) {
      freshnessFiles =
          files
              .filter(f -> f.getFileName().toString().matches("freshness-\\d+\\.json"))
              .sorted()
              .toList();
    }
    List<JsonNode> freshness = new ArrayList<>();
    for (Path f : freshnessFiles) {
      freshness.add(BenchE2eCommand.JSON.readTree(f.toFile()));
    }

    double e2eRate = events / e2eSeconds;
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("events", events);
    result.put("e2e_seconds", round(e2eSeconds));
    result.put("e2e_events_per_second", round(e2eRate));
    result.put("ingest_events_per_second", round(events / sendSeconds));
    result.put("producer_performance_records_per_second", round(producerRate));
    result.put("clickhouse_client_rows_per_second", round(clickhouseRate));
    result.put("e2e_vs_producer_percent", round(100 * e2eRate / producerRate));
    result.put("e2e_vs_clickhouse_client_percent", round(100 * e2eRate / clickhouseRate));
    result.put("freshness", freshness);
    Map<String, Object> processes = new LinkedHashMap<>();
    for (int c = 3; c + 2 < header.length; c += 3) {
      String name = header[c].substring(0, header[c].length() - "_cpu_pct".length());
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("cpu_percent_mean", round(mean(rows, c)));
      p.put("cpu_percent_max", round(max(rows, c)));
      p.put("rss_mib_max", round(max(rows, c + 1)));
      double heap = max(rows, c + 2);
      p.put("heap_used_mib_max", heap < 0 ? null : round(heap));
      processes.put(name, p);
    }
    result.put("processes", processes);
    BenchE2eCommand.JSON.writeValue(out.resolve("result.json").toFile(), result);
    String markdown = markdown(result, processes, freshness);
    Files.writeString(out.resolve("result.md"), markdown);
    plot(rows, freshnessFiles);
    System.out.print(markdown);
    return 0;
  }

  private String markdown(
      Map<String, Object> r, Map<String, Object> processes, List<JsonNode> freshness) {
    StringBuilder md = new StringBuilder();
    md.append("| path | records | records/s | end-to-end vs it |\n|---|---:|---:|---:|\n");
    md.append(
        String.format(
            Locale.ROOT,
            "| Kafka ProducerPerformance, 167-byte records, acks=all | %d | %.0f | %.1f%% |%n",
            events,
            producerRate,
            ((Number) r.get("e2e_vs_producer_percent")).doubleValue()));
    md.append(
        String.format(
            Locale.ROOT,
            "| clickhouse-client, the same records as JSONEachRow | %d | %.0f | %.1f%% |%n",
            events,
            clickhouseRate,
            ((Number) r.get("e2e_vs_clickhouse_client_percent")).doubleValue()));
    md.append(
        String.format(
            Locale.ROOT,
            "| HTTP ingest alone (first sent to last accepted) | %d | %.0f | — |%n",
            events,
            events / sendSeconds));
    md.append(
        String.format(
            Locale.ROOT,
            "| **end to end**: HTTP → Kafka → streams (exactly_once_v2) → sink → ClickHouse, every"
                + " row verified | %d | **%.0f** | — |%n%n",
            events,
            events / e2eSeconds));
    md.append(
        "| freshness, live usage | seconds | ticks of 100 ms measured | p50 ms | p99 ms | max ms"
            + " |\n"
            + "|---|---:|---:|---:|---:|---:|\n");
    for (JsonNode f : freshness) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %d events/s | %d | %d of %d | %d | %d | %d |%n",
              f.path("rate_per_second").asInt(),
              f.path("seconds").asInt(),
              f.path("ticks_measured").asInt(),
              f.path("ticks_sent").asInt(),
              f.path("p50_ms").asLong(),
              f.path("p99_ms").asLong(),
              f.path("max_ms").asLong()));
    }
    md.append('\n');
    md.append(
        "| process | CPU mean | CPU max | RSS max MiB | heap used max MiB |\n"
            + "|---|---:|---:|---:|---:|\n");
    processes.forEach(
        (name, v) -> {
          @SuppressWarnings("unchecked")
          Map<String, Object> p = (Map<String, Object>) v;
          md.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %s %% | %s %% | %s | %s |%n",
                  name,
                  p.get("cpu_percent_mean"),
                  p.get("cpu_percent_max"),
                  p.get("rss_mib_max"),
                  p.get("heap_used_mib_max") == null ? "—" : p.get("heap_used_mib_max")));
        });
    return md.toString();
  }

  /**
   * Throughput (events/s into the ingest and into ClickHouse's metrics) above, freshness below, on
   * one time axis.
   */
  private void plot(List<String[]> rows, List<Path> freshnessFiles) throws IOException {
    long t0 = Long.parseLong(rows.get(0)[0]);
    XYSeries accepted = rate("accepted by the ingest", rows, 1, t0);
    XYSeries counted = rate("counted in ClickHouse's metrics", rows, 2, t0);
    XYSeriesCollection latencies = new XYSeriesCollection();
    for (Path json : freshnessFiles) {
      Path csv = json.resolveSibling(json.getFileName().toString().replace(".json", ".csv"));
      String rate = json.getFileName().toString().replaceAll("\\D", "");
      XYSeries latency =
          new XYSeries("event time to queryable, live usage at " + rate + " events/s");
      List<String> lines = Files.readAllLines(csv);
      for (String line : lines.subList(1, lines.size())) {
        String[] v = line.split(",");
        latency.add((Long.parseLong(v[0]) - t0) / 1000.0, Long.parseLong(v[2]) / 1000.0);
      }
      latencies.addSeries(latency);
    }
    XYSeriesCollection rates = new XYSeriesCollection(accepted);
    rates.addSeries(counted);
    XYPlot throughput = new XYPlot(rates, null, new NumberAxis("events/s"), lines());
    XYPlot fresh = new XYPlot(latencies, null, new NumberAxis("freshness, s"), lines());
    CombinedDomainXYPlot combined =
        new CombinedDomainXYPlot(new NumberAxis("seconds since the run began"));
    combined.add(throughput, 3);
    combined.add(fresh, 2);
    JFreeChart chart =
        new JFreeChart(
            String.format(Locale.ROOT, "routemetrics end to end: %,d records", events),
            JFreeChart.DEFAULT_TITLE_FONT,
            combined,
            true);
    ChartUtils.saveChartAsPNG(out.resolve("plot.png").toFile(), chart, 1200, 700);
  }

  private static XYLineAndShapeRenderer lines() {
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    r.setDefaultStroke(new BasicStroke(1.5f));
    r.setAutoPopulateSeriesStroke(false);
    return r;
  }

  /**
   * Events per second between samples, over a 5-sample window so the 1 s poll's jitter does not
   * dominate.
   */
  private static XYSeries rate(String name, List<String[]> rows, int column, long t0) {
    XYSeries series = new XYSeries(name);
    List<long[]> points = new ArrayList<>();
    for (String[] row : rows) {
      long value = Long.parseLong(row[column]);
      if (value >= 0) {
        points.add(new long[] {Long.parseLong(row[0]), value});
      }
    }
    for (int i = 5; i < points.size(); i++) {
      long[] a = points.get(i - 5);
      long[] b = points.get(i);
      series.add((b[0] - t0) / 1000.0, Math.max(0, (b[1] - a[1]) * 1000.0 / (b[0] - a[0])));
    }
    return series;
  }

  private static double mean(List<String[]> rows, int column) {
    return rows.stream()
        .mapToDouble(r -> Double.parseDouble(r[column]))
        .filter(v -> v >= 0)
        .average()
        .orElse(-1);
  }

  private static double max(List<String[]> rows, int column) {
    return rows.stream().mapToDouble(r -> Double.parseDouble(r[column])).max().orElse(-1);
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
