package dev.routemetrics.cli;

import dev.routemetrics.metrics.ChannelWindowMetrics;
import dev.routemetrics.schemas.topics.TopicProvisioner;
import dev.routemetrics.schemas.topics.Topics;
import dev.routemetrics.schemas.wire.AvroSerde;
import dev.routemetrics.warehouse.WarehouseConfig;
import dev.routemetrics.warehouse.sink.Sink;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench-sink", mixinStandardHelpOptions = true,
    description = {"Measure the sink: put N metric rows on a fresh topic, time the sink from its first record read until ClickHouse has them all,",
        "and write the same rows as TSV for clickhouse-client to insert in the same run (deploy/bench-sink.sh).",
        "Prints: rows seconds rows_per_s database startup_seconds"})
final class BenchSinkCommand implements Callable<Integer> {

  private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  @Option(names = "--rows", defaultValue = "200000", description = "Rows to write (default: ${DEFAULT-VALUE}).")
  int rows;

  @Option(names = "--tsv", required = true, description = "Where to write the same rows as TabSeparated.")
  Path tsv;

  @Override
  public Integer call() throws Exception {
    String id = "bench_sink_" + System.currentTimeMillis();
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put(WarehouseConfig.DATABASE, id);
    settings.put(WarehouseConfig.TOPIC_NAMESPACE, id + ".");
    settings.put(WarehouseConfig.SINK_GROUP, id);
    WarehouseConfig config = new WarehouseConfig(settings);
    Topics topics = new Topics(id + ".");
    new TopicProvisioner(config.getString(WarehouseConfig.KAFKA_BOOTSTRAP), 3).ensure(topics);
    AvroSerde<ChannelWindowMetrics> serde = AvroSerde.of(ChannelWindowMetrics.class);
    Instant base = Instant.parse("2026-01-01T00:00:00Z");
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(WarehouseConfig.KAFKA_BOOTSTRAP),
            ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"),
        new StringSerializer(), new ByteArraySerializer());
        BufferedWriter out = Files.newBufferedWriter(tsv)) {
      for (int i = 0; i < rows; i++) {
        String channel = "channel-" + (i % 50);
        Instant start = base.plus(Duration.ofMinutes(i / 50));
        ChannelWindowMetrics row = ChannelWindowMetrics.newBuilder()
            .setChannelId(channel).setWindowSize("MINUTE").setWindowStart(start).setVersion(1).setRoute("DIRECT_API")
            .setPartnerId(null).setControlPointsOwned(3).setUsageEvents(i % 97).setRequests(i % 97).setInputTokens(i)
            .setOutputTokens(i / 2).setActiveAccounts(3).setVisibleEndUsers(2).setIdentifiedRequests(1).setErrorRequests(0)
            .setLatencyP50Ms(120.5).setLatencyP95Ms(800.0).setLatencyP99Ms(1200.0).setFullTelemetryRequests(1)
            .setFeedbackEvents(1).setTrainableFeedback(1).setCoveredRequests(1).setNewestEventTime(start).build();
        producer.send(new ProducerRecord<>(topics.channelMetrics, channel + "|" + start.toEpochMilli(), serde.encode(row)));
        out.write(String.join("\t", "MINUTE", UTC.format(start), channel, "1", "DIRECT_API", "\\N", "3",
            String.valueOf(i % 97), String.valueOf(i % 97), String.valueOf(i), String.valueOf(i / 2), "3", "2", "1", "0",
            "120.5", "800", "1200", "1", "1", "1", "1", UTC.format(start)));
        out.newLine();
      }
    }
    // Timed from the first record read to the last row ClickHouse acknowledged, as clickhouse-client's
    // INSERT is timed from its first byte sent to its answer: the figure is the sink moving rows, not
    // its start-up (migrations, topic checks, joining the consumer group), which is reported beside it.
    long started = System.nanoTime();
    long firstRead = 0;
    try (Sink sink = new Sink(config).start()) {
      while (sink.rowsWritten() < rows) {
        if (firstRead == 0 && sink.recordsRead() > 0) {
          firstRead = System.nanoTime();
        }
        Thread.sleep(2);
      }
    }
    long done = System.nanoTime();
    double moving = (done - firstRead) / 1e9;
    System.out.printf("%d %.2f %.0f %s %.2f%n", rows, moving, rows / moving, id, (firstRead - started) / 1e9);
    return 0;
  }
}
