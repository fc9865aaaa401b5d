package dev.routemetrics.sink;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The sink's metrics, in one place: per topic, the records read, rows written and records set aside
 * by reason, each insert's time, size and outcome, and the two figures an operator watches, lag
 * (records in the topic that ClickHouse does not have yet) and the time since ClickHouse last
 * acknowledged a batch. Scraped as Prometheus text at {@code /metrics}, summed up as JSON at {@code
 * /health}, where each topic has a state: DOWN (its worker stopped on an error), STALLED (lag above
 * 0 and no progress for {@code stallAfter}), BACKING_OFF (waiting to retry ClickHouse) or UP.
 */
public final class SinkTelemetry {

  /** A topic's state, worst first: the sink's {@code /health} status is its topics' worst. */
  public enum State {
    DOWN,
    STALLED,
    BACKING_OFF,
    UP
  }

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<Topic> topics = new CopyOnWriteArrayList<>();
  private final String namespace;
  private final Duration stallAfter;
  private final Clock clock;
  private volatile LagSource lagSource;

  /**
   * Measures, when asked, per topic the records its consumer group has not committed: the end of
   * each partition against the group's committed offset ({@link SinkOffsets}). Throws when Kafka
   * does not answer.
   */
  @FunctionalInterface
  public interface LagSource {
    Map<String, Long> lagPerTopic() throws Exception;
  }

  /**
   * {@code namespace}: the topic namespace the sink serves, which {@code /health} names; {@code
   * stallAfter}: see {@link State#STALLED}.
   */
  public SinkTelemetry(String namespace, Duration stallAfter) {
    this(namespace, stallAfter, Clock.systemUTC());
  }

  /** With the clock the stall and commit ages are measured on (tests move it by hand). */
  SinkTelemetry(String namespace, Duration stallAfter, Clock clock) {
    this.namespace = namespace;
    this.stallAfter = stallAfter;
    this.clock = clock;
  }

  /** No namespace; STALLED after a minute. */
  public SinkTelemetry() {
    this("", Duration.ofMinutes(1));
  }

  public String namespace() {
    return namespace;
  }

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

  /**
   * From now on {@link #status()} reports each topic's lag as {@code source} measures it when
   * asked, instead of the worker's estimate from its last fetch (which can be 0 while records
   * committed since wait unread).
   */
  public void measureLagWith(LagSource source) {
    this.lagSource = source;
  }

  /**
   * Each topic's state now, for {@code /health}. With a {@link LagSource}, the lag is measured now;
   * if that fails, every topic's lag is null (unknown) and {@code lagError} says why.
   */
  public List<TopicStatus> status() {
    long now = clock.millis();
    LagSource source = lagSource;
    Map<String, Long> measured = null;
    String lagError = null;
    if (source != null) {
      try {
        measured = source.lagPerTopic();
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        lagError = "could not measure the lag: " + e;
      }
    }
    Map<String, Long> lags = measured;
    String error = lagError;
    return topics.stream()
        .map(
            t -> {
              Long lag =
                  source == null
                      ? Long.valueOf(t.lag.get())
                      : lags == null ? null : lags.get(t.topic);
              return t.status(now, lag, error);
            })
        .toList();
  }

  /**
   * What {@code /health} says of one topic. {@code secondsSinceCommit} is null before the first;
   * {@code secondsWithoutProgress} counts since the last commit or the last moment the lag was 0;
   * {@code error} is why the worker stopped (null while it runs). {@code lagRecords}: records of
   * the topic ClickHouse does not have yet, null when unknown ({@code lagError} says why); {@code
   * pendingRecords}: of those, the ones read and waiting in a batch not yet inserted.
   */
  public record TopicStatus(
      String topic,
      String table,
      State state,
      Long lagRecords,
      long pendingRecords,
      String lagError,
      long rowsWritten,
      long recordsRejected,
      Map<String, Long> rejected,
      long failedInserts,
      Double secondsSinceCommit,
      double secondsWithoutProgress,
      long backoffMs,
      String error) {}

  /** One topic's meters, which only its worker and inserter update. */
  public final class Topic {

    private final String topic;
    private final String table;
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Map<Rejection.Reason, AtomicLong> rejected =
        new EnumMap<>(Rejection.Reason.class);
    private final Timer inserted;
    private final Timer failed;
    private final DistributionSummary insertRows;
    private final AtomicLong lag = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong lastCommit = new AtomicLong();
    private final AtomicLong lastProgress = new AtomicLong(clock.millis());
    private final AtomicLong backoff = new AtomicLong();
    private final AtomicReference<String> error = new AtomicReference<>();

    private Topic(String topic, String table) {
      this.topic = topic;
      this.table = table;
      FunctionCounter.builder("routemetrics.sink.records.read", read, AtomicLong::get)
          .description("Records polled, with those read again after a failed insert or a rebalance")
          .tag("topic", topic)
          .register(registry);
      FunctionCounter.builder("routemetrics.sink.rows.written", written, AtomicLong::get)
          .description("Rows ClickHouse acknowledged whose offsets were then committed")
          .tag("table", table)
          .register(registry);
      for (Rejection.Reason reason : Rejection.Reason.values()) {
        AtomicLong count = new AtomicLong();
        rejected.put(reason, count);
        FunctionCounter.builder("routemetrics.sink.records.rejected", count, AtomicLong::get)
            .description(
                "Records set aside in sink_rejected_records instead of their table, by reason, once"
                    + " committed")
            .tag("topic", topic)
            .tag("reason", reason.label)
            .register(registry);
      }
      this.inserted = insertTimer("ok");
      this.failed = insertTimer("failed");
      this.insertRows =
          DistributionSummary.builder("routemetrics.sink.insert.rows")
              .description("Rows per insert")
              .tag("table", table)
              .register(registry);
      Gauge.builder("routemetrics.sink.lag.records", lag, AtomicLong::get)
          .description("Records in the topic after the committed offsets: not yet in ClickHouse")
          .tag("topic", topic)
          .register(registry);
      Gauge.builder(
              "routemetrics.sink.commit.age.seconds",
              lastCommit,
              last -> last.get() == 0 ? Double.NaN : (clock.millis() - last.get()) / 1000.0)
          .description(
              "Seconds since ClickHouse last acknowledged a batch of this topic (NaN before the"
                  + " first)")
          .tag("topic", topic)
          .register(registry);
      Gauge.builder("routemetrics.sink.backoff.ms", backoff, AtomicLong::get)
          .description(
              "Current wait before the next insert after a failure; 0 while inserts succeed")
          .tag("topic", topic)
          .register(registry);
      Gauge.builder("routemetrics.sink.worker.up", error, e -> e.get() == null ? 1 : 0)
          .description("1 while the topic's worker runs, 0 once it stopped on an error")
          .tag("topic", topic)
          .register(registry);
    }

    private Timer insertTimer(String outcome) {
      return Timer.builder("routemetrics.sink.insert")
          .description("Time ClickHouse took to acknowledge an insert")
          .tag("table", table)
          .tag("outcome", outcome)
          .publishPercentiles(0.5, 0.99)
          .register(registry);
    }

    void read(int records) {
      read.addAndGet(records);
    }

    void rejected(Rejection.Reason reason) {
      rejected.get(reason).incrementAndGet();
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
      long now = clock.millis();
      lastCommit.set(now);
      lastProgress.set(now);
    }

    /** Nothing owed, or a start: the stall clock starts again. */
    void progressed() {
      lastProgress.set(clock.millis());
    }

    /** The worker stopped on {@code cause}. */
    void failed(Throwable cause) {
      error.set(cause.toString());
    }

    void lag(long records) {
      lag.set(records);
    }

    /** Records read and not yet in ClickHouse: the pending batch and the one in flight. */
    void pending(long records) {
      pending.set(records);
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

    private TopicStatus status(long now, Long lagRecords, String lagError) {
      long last = lastCommit.get();
      double idle = Math.max(0, now - lastProgress.get()) / 1000.0;
      State state;
      if (error.get() != null) {
        state = State.DOWN;
      } else if (lag.get() > 0 && idle * 1000 > stallAfter.toMillis()) {
        state = State.STALLED;
      } else if (backoff.get() > 0) {
        state = State.BACKING_OFF;
      } else {
        state = State.UP;
      }
      Map<String, Long> byReason = new LinkedHashMap<>();
      rejected.forEach((reason, count) -> byReason.put(reason.label, count.get()));
      long total = byReason.values().stream().mapToLong(Long::longValue).sum();
      return new TopicStatus(
          topic,
          table,
          state,
          lagRecords,
          pending.get(),
          lagError,
          written.get(),
          total,
          byReason,
          failed.count(),
          last == 0 ? null : (now - last) / 1000.0,
          idle,
          backoff.get(),
          error.get());
    }
  }
}
