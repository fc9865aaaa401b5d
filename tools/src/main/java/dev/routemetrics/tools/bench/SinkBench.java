package dev.routemetrics.tools.bench;

import dev.routemetrics.events.Route;
import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.metrics.WindowSize;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import dev.routemetrics.sink.Sink;
import dev.routemetrics.sink.clickhouse.WarehouseConfig;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The sink's benchmark (bin/routemetrics bench-sink, deploy/bench-sink.sh): N metric rows on a
 * fresh topic, the sink timed from its first record read until ClickHouse holds them all, and the
 * same rows as TabSeparated for clickhouse-client to insert in the same run, the baseline. The sink
 * first runs once over the warm-up rows dated 2025 (the cold figure), stops, and starts again in
 * the same JVM for the N rows dated 2026 (the warm figure): a service that runs for days is
 * measured after its JIT warm-up.
 */
public final class SinkBench {

  private static final DateTimeFormatter UTC =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  /**
   * What one run measured. {@code database}: where the rows went (bench_sink_<millis>). {@code
   * moving}: seconds from the first record read to the last row acknowledged; {@code startup}:
   * seconds before the first record was read.
   */
  public record Result(String database, int rows, Run measured, int warmupRows, Run warmup) {

    /** rows seconds rows_per_s database startup_seconds warmup_rows warmup_seconds ... */
    public String line() {
      return String.format(
          java.util.Locale.ROOT,
          "%d %.2f %.0f %s %.2f %d %.2f %.0f",
          rows,
          measured.moving(),
          rows / measured.moving(),
          database,
          measured.startup(),
          warmupRows,
          warmup.moving(),
          warmupRows / Math.max(warmup.moving(), 1e-9));
    }
  }

  /** One timed pass of the sink. */
  public record Run(double moving, double startup) {}

  private SinkBench() {}

  /**
   * Runs the benchmark with {@code settings} over the defaults (ClickHouse, Kafka); the database,
   * topic namespace and consumer group are the run's own.
   */
  public static Result run(Map<String, Object> settings, int rows, int warmupRows, Path tsv)
      throws Exception {
    String id = "bench_sink_" + System.currentTimeMillis();
    Map<String, Object> own = new LinkedHashMap<>(settings);
    own.put(WarehouseConfig.DATABASE, id);
    own.put(WarehouseConfig.TOPIC_NAMESPACE, id + ".");
    own.put(WarehouseConfig.SINK_GROUP, id);
    WarehouseConfig config = new WarehouseConfig(own);
    Topics topics = new Topics(id + ".");
    new TopicProvisioner(config.getString(WarehouseConfig.KAFKA_BOOTSTRAP), 3).ensure(topics);
    Run warmup = new Run(0, 0);
    if (warmupRows > 0) {
      produce(config, topics, Instant.parse("2025-01-01T00:00:00Z"), warmupRows, null);
      warmup = timeSink(config, warmupRows);
    }
    produce(config, topics, Instant.parse("2026-01-01T00:00:00Z"), rows, tsv);
    return new Result(id, rows, timeSink(config, rows), warmupRows, warmup);
  }

  /**
   * Puts {@code n} rows with minute windows from {@code base} on the metric topic, and into {@code
   * tsv} unless null.
   */
  // Each send's callback keeps the first failure, thrown once the producer has flushed.
  @SuppressWarnings("FutureReturnValueIgnored")
  private static void produce(WarehouseConfig config, Topics topics, Instant base, int n, Path tsv)
      throws Exception {
    AvroSerde<ChannelWindowMetrics> serde = AvroSerde.of(ChannelWindowMetrics.class);
    java.util.concurrent.atomic.AtomicReference<Exception> failed =
        new java.util.concurrent.atomic.AtomicReference<>();
    try (KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(
                Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    config.getString(WarehouseConfig.KAFKA_BOOTSTRAP),
                    ProducerConfig.LINGER_MS_CONFIG,
                    20,
                    ProducerConfig.COMPRESSION_TYPE_CONFIG,
                    "lz4"),
                new StringSerializer(),
                new ByteArraySerializer());
        BufferedWriter out = tsv == null ? null : Files.newBufferedWriter(tsv)) {
      for (int i = 0; i < n; i++) {
        String channel = "channel-" + (i % 50);
        Instant start = base.plus(Duration.ofMinutes(i / 50));
        ChannelWindowMetrics row =
            ChannelWindowMetrics.newBuilder()
                .setChannelId(channel)
                .setWindowSize(WindowSize.MINUTE)
                .setWindowStart(start)
                .setVersion(1)
                .setRoute(Route.DIRECT_API)
                .setPartnerId(null)
                .setControlPointsOwned(3)
                .setUsageEvents(i % 97)
                .setRequests(i % 97)
                .setInputTokens(i)
                .setOutputTokens(i / 2)
                .setActiveAccounts(3)
                .setVisibleEndUsers(2)
                .setIdentifiedRequests(1)
                .setErrorRequests(0)
                .setLatencyP50Ms(120.5)
                .setLatencyP95Ms(800.0)
                .setLatencyP99Ms(1200.0)
                .setFullTelemetryRequests(1)
                .setFeedbackEvents(1)
                .setTrainableFeedback(1)
                .setCoveredRequests(1)
                .setNewestEventTime(start)
                .setFeedbackReceived(2)
                .setTrainableReceived(1)
                .build();
        // A send that fails would leave the sink waiting for a row that never comes: keep the
        // first failure and throw it once the producer has flushed.
        producer.send(
            new ProducerRecord<>(
                topics.channelMetrics, channel + "|" + start.toEpochMilli(), serde.encode(row)),
            (metadata, error) -> {
              if (error != null) {
                failed.compareAndSet(null, error);
              }
            });
        if (out != null) {
          out.write(
              String.join(
                  "\t",
                  "MINUTE",
                  UTC.format(start),
                  channel,
                  "1",
                  "DIRECT_API",
                  "\\N",
                  "3",
                  String.valueOf(i % 97),
                  String.valueOf(i % 97),
                  String.valueOf(i),
                  String.valueOf(i / 2),
                  "3",
                  "2",
                  "1",
                  "0",
                  "120.5",
                  "800",
                  "1200",
                  "1",
                  "1",
                  "1",
                  "1",
                  UTC.format(start),
                  "2",
                  "1"));
          out.newLine();
        }
      }
      producer.flush();
      if (failed.get() != null) {
        throw new IllegalStateException(
            "the benchmark could not write its rows to Kafka: " + failed.get(), failed.get());
      }
    }
  }

  /**
   * Starts the sink and stops it once it has written {@code n} rows: those put on the topic since
   * the last run, whose offsets it committed before stopping. Timed from the first record read to
   * the last row ClickHouse acknowledged, as clickhouse-client's INSERT is timed from its first
   * byte sent to its answer: the figure is the sink moving rows, not its start-up (migrations,
   * topic checks, joining the consumer group), which is reported beside it.
   */
  private static Run timeSink(WarehouseConfig config, long n) throws Exception {
    long started = System.nanoTime();
    long firstRead = 0;
    long done;
    try (Sink sink = new Sink(config).start()) {
      while (sink.rowsWritten() < n) {
        if (firstRead == 0 && sink.recordsRead() > 0) {
          firstRead = System.nanoTime();
        }
        Thread.sleep(2);
      }
      done = System.nanoTime(); // not its stop, which waits out a poll
    }
    return new Run((done - firstRead) / 1e9, (firstRead - started) / 1e9);
  }
}
