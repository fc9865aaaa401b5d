package dev.routemetrics.warehouse.sink;

import dev.routemetrics.warehouse.ClickHouse;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one metric topic into its ClickHouse table, exactly once in effect.
 *
 * <p>The flush protocol, in this order and for these reasons:
 *
 * <ol>
 *   <li>Buffer polled records until {@code batchRows} are waiting or {@code flushInterval} has
 *       passed since the oldest, whichever comes first: ClickHouse wants few large inserts.
 *   <li>Decode; a record that does not decode is logged with topic, partition, offset and reason and
 *       skipped, so one bad record cannot stall the pipeline.
 *   <li>Insert the batch. The tables are ReplacingMergeTree keyed by window with a version, so a
 *       batch written twice leaves query results unchanged.
 *   <li>Only then commit the offsets after the batch. A crash before this step re-reads and
 *       re-writes the batch (harmless, step 3); a crash after it has nothing left to do.
 *   <li>If the insert fails (ClickHouse down, say), nothing is committed: rewind every partition to
 *       the batch's first offset, wait with exponential backoff and read again. Polling goes on
 *       meanwhile, so the consumer keeps its partitions during an outage.
 * </ol>
 */
public final class SinkWorker<V> implements Runnable, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SinkWorker.class);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final Deserializer<V> decoder;
  private final TableWriter<V> writer;
  private final ClickHouse clickHouse;
  private final int batchRows;
  private final Duration flushInterval;
  private final Duration maxBackoff;

  private final List<ConsumerRecord<String, byte[]>> buffer = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong rowsWritten = new AtomicLong();
  private final AtomicLong recordsSkipped = new AtomicLong();
  private long oldestBufferedAt;
  private Duration backoff = Duration.ZERO;
  private long retryNotBefore;

  public SinkWorker(Consumer<String, byte[]> consumer, String topic, Deserializer<V> decoder, TableWriter<V> writer,
      ClickHouse clickHouse, int batchRows, Duration flushInterval, Duration maxBackoff) {
    this.consumer = consumer;
    this.topic = topic;
    this.decoder = decoder;
    this.writer = writer;
    this.clickHouse = clickHouse;
    this.batchRows = batchRows;
    this.flushInterval = flushInterval;
    this.maxBackoff = maxBackoff;
  }

  @Override
  public void run() {
    consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
      @Override
      public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        // Uncommitted rows of revoked partitions are re-read by their next owner.
        buffer.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
    });
    try {
      while (running.get()) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          if (buffer.isEmpty()) {
            oldestBufferedAt = System.currentTimeMillis();
          }
          buffer.add(record);
        }
        boolean due = buffer.size() >= batchRows
            || (!buffer.isEmpty() && System.currentTimeMillis() - oldestBufferedAt >= flushInterval.toMillis());
        if (due && System.currentTimeMillis() >= retryNotBefore) {
          flush();
        }
      }
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
    } finally {
      consumer.close();
    }
  }

  private void flush() {
    List<V> rows = new ArrayList<>(buffer.size());
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    Map<TopicPartition, Long> first = new HashMap<>();
    for (ConsumerRecord<String, byte[]> record : buffer) {
      TopicPartition partition = new TopicPartition(record.topic(), record.partition());
      first.putIfAbsent(partition, record.offset());
      next.put(partition, new OffsetAndMetadata(record.offset() + 1));
      try {
        V row = decoder.deserialize(record.topic(), record.value());
        if (row != null) {
          rows.add(row);
        }
      } catch (SerializationException e) {
        recordsSkipped.incrementAndGet();
        log.warn("skipping record {}-{}@{} that does not decode: {}", record.topic(), record.partition(),
            record.offset(), e.getMessage());
      }
    }
    try (Connection connection = clickHouse.connect()) {
      if (!rows.isEmpty()) {
        writer.insert(connection, rows);
      }
    } catch (SQLException e) {
      backoff = backoff.isZero() ? Duration.ofMillis(200) : min(backoff.multipliedBy(2), maxBackoff);
      retryNotBefore = System.currentTimeMillis() + backoff.toMillis();
      log.warn("insert of {} rows into {} failed, nothing committed; retrying in {} ms: {}", rows.size(),
          writer.table(), backoff.toMillis(), clickHouse.explained(e).getMessage());
      first.forEach(consumer::seek);
      buffer.clear();
      return;
    }
    try {
      consumer.commitSync(next);
    } catch (CommitFailedException | RebalanceInProgressException e) {
      // The partitions moved while we wrote: their next owner re-reads and re-writes these rows,
      // which the replacing tables absorb. Nothing is lost and nothing counts twice.
      log.info("offsets of {} rows in {} not committed ({}); they will be written again", rows.size(), writer.table(),
          e.getClass().getSimpleName());
      buffer.clear();
      return;
    }
    if (!backoff.isZero()) {
      log.info("{} reachable again; writing resumed", writer.table());
    }
    backoff = Duration.ZERO;
    rowsWritten.addAndGet(rows.size());
    log.debug("flushed {} rows into {}", rows.size(), writer.table());
    buffer.clear();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  public long rowsWritten() {
    return rowsWritten.get();
  }

  public long recordsSkipped() {
    return recordsSkipped.get();
  }

  /** Stops after the current poll; buffered rows not yet written are left uncommitted for the next run. */
  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
  }
}
