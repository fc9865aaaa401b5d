package dev.routemetrics.warehouse.sink;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sink's metrics, in one place: per topic, the records read, rows written and records skipped,
 * each insert's time, size and outcome, and the two figures an operator watches, lag (records in
 * the topic that ClickHouse does not have yet) and the time since ClickHouse last acknowledged a
 * batch. Scraped as Prometheus text at {@code /metrics}, summed up as JSON at {@code /health}.
 */
public final class SinkTelemetry {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<Topic> topics = new ArrayList<>();

  /** The meters of one topic's worker; registered once, updated by its threads. */
  public Topic topic(String topic, String table) {
    Topic meters = new Topic(topic, table);
    topics.add(meters);
    return meters;
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }

  /** Each topic's state now, for {@code /health}. */
  public List<TopicStatus> status() {
    long now = System.currentTimeMillis();
    return topics.stream().map(t -> t.status(now)).toList();
  }

  /** What {@code /health} says of one topic. {@code secondsSinceCommit} is null before the first. */
  public record TopicStatus(String topic, String table, long lagRecords, long rowsWritten, long recordsSkipped,
      long failedInserts, Double secondsSinceCommit, long backoffMs) {}

  /** One topic's meters, which only its worker and inserter update. */
  public final class Topic {

    private final String topic;
    private final String table;
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final Timer inserted;
    private final Timer failed;
    private final DistributionSummary insertRows;
    private final AtomicLong lag = new AtomicLong();
    private final AtomicLong lastCommit = new AtomicLong();
    private final AtomicLong backoff = new AtomicLong();

    private Topic(String topic, String table) {
      this.topic = topic;
      this.table = table;
      FunctionCounter.builder("routemetrics.sink.records.read", read, AtomicLong::get)
          .description("Records polled, with those read again after a failed insert or a rebalance")
          .tag("topic", topic).register(registry);
      FunctionCounter.builder("routemetrics.sink.rows.written", written, AtomicLong::get)
          .description("Rows ClickHouse acknowledged whose offsets were then committed").tag("table", table).register(registry);
      FunctionCounter.builder("routemetrics.sink.records.skipped", skipped, AtomicLong::get)
          .description("Records that did not decode").tag("topic", topic).register(registry);
      this.inserted = insertTimer("ok");
      this.failed = insertTimer("failed");
      this.insertRows = DistributionSummary.builder("routemetrics.sink.insert.rows").description("Rows per insert")
          .tag("table", table).register(registry);
      Gauge.builder("routemetrics.sink.lag.records", lag, AtomicLong::get)
          .description("Records in the topic after the committed offsets: not yet in ClickHouse")
          .tag("topic", topic).register(registry);
      Gauge.builder("routemetrics.sink.commit.age.seconds", lastCommit, last -> last.get() == 0 ? Double.NaN
              : (System.currentTimeMillis() - last.get()) / 1000.0)
          .description("Seconds since ClickHouse last acknowledged a batch of this topic (NaN before the first)")
          .tag("topic", topic).register(registry);
      Gauge.builder("routemetrics.sink.backoff.ms", backoff, AtomicLong::get)
          .description("Current wait before the next insert after a failure; 0 while inserts succeed")
          .tag("topic", topic).register(registry);
    }

    private Timer insertTimer(String outcome) {
      return Timer.builder("routemetrics.sink.insert").description("Time ClickHouse took to acknowledge an insert")
          .tag("table", table).tag("outcome", outcome).publishPercentiles(0.5, 0.99).register(registry);
    }

    void read(int records) {
      read.addAndGet(records);
    }

    void skipped() {
      skipped.incrementAndGet();
    }

    void inserted(int rows, Duration took) {
      inserted.record(took);
      insertRows.record(rows);
    }

    void insertFailed(Duration took) {
      failed.record(took);
    }

    void committed(int rows) {
      written.addAndGet(rows);
      lastCommit.set(System.currentTimeMillis());
    }

    void lag(long records) {
      lag.set(records);
    }

    void backoff(Duration wait) {
      backoff.set(wait.toMillis());
    }

    /** Records polled, including those read again after a failed insert or a rebalance. */
    long recordsRead() {
      return read.get();
    }

    long rowsWritten() {
      return written.get();
    }

    private TopicStatus status(long now) {
      long last = lastCommit.get();
      return new TopicStatus(topic, table, lag.get(), written.get(), skipped.get(), failed.count(),
          last == 0 ? null : (now - last) / 1000.0, backoff.get());
    }
  }
}
