package dev.routemetrics.simulator.load;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How fresh accepted events are when the pipeline can first read them: reads a topic from its end,
 * as the streams app would, and for every record takes the time since its timestamp (the event time
 * the ingest gave it, which {@link SteadyLoad} sets to the moment it sent the event).
 */
public final class Freshness implements AutoCloseable {

  /** Quantiles of the age of records when read, in milliseconds. */
  public record Result(long records, double p50, double p99, double max) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Thread reader;
  private long[] ages = new long[1 << 16];
  private int count;

  public Freshness(String bootstrap, String topic) {
    this.consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                50),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position); // resolve the end now, before any load
    this.reader = new Thread(this::read, "freshness-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    while (running.get()) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
        long age = System.currentTimeMillis() - record.timestamp();
        synchronized (this) {
          if (count == ages.length) {
            ages = Arrays.copyOf(ages, ages.length * 2);
          }
          ages[count++] = age;
        }
      }
    }
    consumer.close();
  }

  /**
   * Stops reading, after {@code drain} for the last records to arrive, and returns what was seen.
   */
  public Result stop(Duration drain) throws InterruptedException {
    Thread.sleep(drain.toMillis());
    running.set(false);
    reader.join(10_000);
    long[] sorted;
    synchronized (this) {
      sorted = Arrays.copyOf(ages, count);
    }
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) {
      sorted[i] *= 1_000_000; // to nanoseconds, for the shared quantile
    }
    return new Result(
        sorted.length,
        SteadyLoad.quantileMillis(sorted, 0.50),
        SteadyLoad.quantileMillis(sorted, 0.99),
        SteadyLoad.quantileMillis(sorted, 1.0));
  }

  /**
   * Stops reading without a drain. An interrupt ends the wait for the reader and stays set for the
   * caller.
   */
  @Override
  public void close() {
    running.set(false);
    try {
      reader.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
