package dev.routemetrics.sink;

import dev.routemetrics.sink.clickhouse.ClickHouse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one metric topic into its ClickHouse table, exactly once in effect.
 *
 * <p>Two stages: this thread polls, decodes and commits; a {@link BatchInserter} inserts on a
 * thread of its own. While one batch is being inserted the next is read and decoded, never more, so
 * memory stays bounded and offsets are committed in the order they were read. The protocol, in this
 * order and for these reasons:
 *
 * <ol>
 *   <li>Decode each polled record into the pending batch as it arrives, overlapping the insert in
 *       flight. A record that does not decode, or holds a value its column cannot, is set aside
 *       with its topic, partition, offset and reason (its offset counts as read), so one bad record
 *       cannot stall the pipeline; so is a row ClickHouse refuses ({@link BatchInserter}).
 *   <li>The pending batch is due when {@code batchRows} records are in it or {@code flushInterval}
 *       has passed since its oldest, whichever comes first: ClickHouse wants few large inserts.
 *   <li>When it is due, wait for the batch in flight and settle it (steps 4 to 6), then hand the
 *       pending batch to the inserter. The tables are ReplacingMergeTree keyed by window with a
 *       version, so a batch written twice leaves query results unchanged.
 *   <li>Once ClickHouse acknowledged a batch, and the records it set aside are in {@code
 *       sink_rejected_records}, commit the offsets after it; never before; then count and log what
 *       was set aside. A crash before the commit re-reads and re-writes the batch (harmless, step
 *       3); a crash after it has nothing left to do. The next batch's offsets cannot be committed
 *       first: it is not handed over until this one is settled.
 *   <li>If the insert fails (ClickHouse down, say), nothing is committed: rewind every partition to
 *       the failed batch's first offset (or the pending batch's, for partitions only it holds),
 *       drop the pending batch, wait with exponential backoff and read again. Polling goes on
 *       meanwhile, so the consumer keeps its partitions during an outage; a full pending batch
 *       pauses them.
 *   <li>Anything else the writer throws is a bug, not an outage: the worker stops, committing
 *       nothing more, and {@code /health} says the topic is DOWN, with the error. A worker whose
 *       lag stays above 0 without a commit for {@code routemetrics.sink.stall.after.ms} is STALLED.
 * </ol>
 */
public final class SinkWorker<V> implements Runnable, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SinkWorker.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final Consumer<String, byte[]> consumer;
  private final String topic;
  private final Deserializer<V> decoder;
  private final TableWriter<V> writer;
  private final BatchInserter<V> inserter;
  private final int batchRows;
  private final Duration flushInterval;
  private final Duration maxBackoff;
  private final SinkTelemetry.Topic meters;

  private final AtomicBoolean running = new AtomicBoolean(true);
  private Batch<V> pending = new Batch<>();
  private Batch<V> inFlight;
  private Future<List<Rejection>> inFlightInsert;
  private Duration backoff = Duration.ZERO;
  private long retryNotBefore;

  /**
   * The offset this worker last committed per partition, to commit a position only when it moved.
   */
  private final Map<TopicPartition, Long> committed = new HashMap<>();

  public SinkWorker(
      Consumer<String, byte[]> consumer,
      String topic,
      Deserializer<V> decoder,
      TableWriter<V> writer,
      ClickHouse clickHouse,
      int batchRows,
      Duration flushInterval,
      Duration maxBackoff,
      SinkTelemetry.Topic meters) {
    this.consumer = consumer;
    this.topic = topic;
    this.decoder = decoder;
    this.writer = writer;
    this.inserter = new BatchInserter<>("sink-" + topic + "-insert", writer, clickHouse, meters);
    this.batchRows = batchRows;
    this.flushInterval = flushInterval;
    this.maxBackoff = maxBackoff;
    this.meters = meters;
  }

  @Override
  public void run() {
    consumer.subscribe(
        List.of(topic),
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // Settle the insert in flight while the partitions are still ours, so that its commit
            // counts.
            // The pending rows are read again, by the next owner or, for partitions kept, by us.
            settle(true);
            rewind(Map.of());
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // Another worker may have committed these meanwhile: what we committed before says
            // nothing now.
            committed.keySet().removeAll(partitions);
          }
        });
    boolean stopped = false;
    meters.progressed();
    try {
      while (running.get()) {
        read(consumer.poll(POLL));
        settle(false);
        commitPastControlRecords();
        measureLag();
        long now = System.currentTimeMillis();
        boolean due =
            pending.records() >= batchRows
                || (!pending.isEmpty() && now - pending.startedAt() >= flushInterval.toMillis());
        if (due && now >= retryNotBefore) {
          flush();
        }
        throttle();
      }
      stopped = true;
    } catch (WakeupException e) {
      if (running.get()) {
        throw e;
      }
      stopped = true;
    } catch (RuntimeException | Error e) {
      meters.failed(e);
      log.error("sink worker of {} stopped: {}", topic, e.toString(), e);
      throw e;
    } finally {
      try {
        if (stopped) {
          settleOnStop();
        }
      } finally {
        inserter.close();
        consumer.close();
      }
    }
  }

  private void read(ConsumerRecords<String, byte[]> records) {
    meters.read(records.count());
    // Offsets once per partition and poll, not per record: they only ever move forward within one.
    for (TopicPartition partition : records.partitions()) {
      List<ConsumerRecord<String, byte[]>> polled = records.records(partition);
      pending.covers(partition, polled.get(0).offset(), polled.get(polled.size() - 1).offset());
      for (ConsumerRecord<String, byte[]> record : polled) {
        decode(record);
      }
    }
  }

  /**
   * Into the pending batch as a row, or as a rejection: {@link SerializationException} (not a
   * record of the schema) is undecodable, {@link IllegalArgumentException} (a value its column
   * cannot hold) out of range, any other a decoder's surprise, set aside as undecodable with its
   * class.
   */
  private void decode(ConsumerRecord<String, byte[]> record) {
    try {
      V row =
          decoder instanceof Located.Decoder<V> located
              ? located.decode(record)
              : decoder.deserialize(record.topic(), record.value());
      if (row == null) {
        pending.reject(
            Rejection.of(record, Rejection.Reason.UNDECODABLE, "no value (a tombstone)"));
      } else {
        pending.add(record, row);
      }
    } catch (SerializationException e) {
      pending.reject(Rejection.of(record, Rejection.Reason.UNDECODABLE, e.getMessage()));
    } catch (IllegalArgumentException e) {
      pending.reject(Rejection.of(record, Rejection.Reason.OUT_OF_RANGE, e.getMessage()));
    } catch (RuntimeException e) {
      pending.reject(Rejection.of(record, Rejection.Reason.UNDECODABLE, e.toString()));
    }
  }

  /** Hands the pending batch to the inserter once the one before it is settled (step 3). */
  private void flush() {
    settle(true);
    if (pending.isEmpty()) {
      return; // the insert before failed: the pending rows were dropped, to be read again
    }
    inFlight = pending;
    pending = new Batch<>();
    inFlightInsert = inserter.insert(inFlight);
  }

  /**
   * Commits the batch in flight if ClickHouse has it, or rewinds if it failed; {@code wait}s for it
   * or not.
   */
  private void settle(boolean wait) {
    if (inFlight == null || (!wait && !inFlightInsert.isDone())) {
      return;
    }
    Batch<V> batch = inFlight;
    Future<List<Rejection>> insert = inFlightInsert;
    inFlight = null;
    inFlightInsert = null;
    List<Rejection> rejected;
    try {
      rejected = insert.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SQLException failure) {
        retryLater(batch, failure);
        return;
      }
      if (e.getCause() instanceof RuntimeException bug) {
        throw bug;
      }
      throw new IllegalStateException("insert into " + writer.table() + " failed", e.getCause());
    }
    commit(batch, rejected);
  }

  private void commit(Batch<V> batch, List<Rejection> rejected) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(batch.nextOffsets());
    Set<TopicPartition> ours = consumer.assignment();
    offsets.replaceAll(
        (partition, next) -> {
          // Nothing of this partition was read after the batch: whatever lies between its last
          // record
          // and the position is a transaction marker (or an aborted record), and committing past it
          // lets the committed offset reach the log's end, so that "committed = end" means caught
          // up.
          if (ours.contains(partition) && !pending.firstOffsets().containsKey(partition)) {
            long position = consumer.position(partition);
            return position > next.offset() ? new OffsetAndMetadata(position) : next;
          }
          return next;
        });
    try {
      consumer.commitSync(offsets);
    } catch (CommitFailedException | RebalanceInProgressException e) {
      // The partitions moved while we wrote: their next owner re-reads and re-writes these rows,
      // which the replacing tables absorb. Nothing is lost and nothing counts twice.
      log.info(
          "offsets of {} rows in {} not committed ({}); they will be written again",
          batch.rows().size(),
          writer.table(),
          e.getClass().getSimpleName());
      return;
    }
    if (!backoff.isZero()) {
      log.info("{} reachable again; writing resumed", writer.table());
    }
    offsets.forEach((partition, next) -> committed.put(partition, next.offset()));
    backoff = Duration.ZERO;
    meters.backoff(backoff);
    int written = batch.rows().size() - (rejected.size() - batch.rejected().size());
    meters.committed(written);
    for (Rejection r : rejected) {
      meters.rejected(r.reason());
      log.warn(
          "set aside record {} ({}) in sink_rejected_records instead of {}: {}",
          r.where(),
          r.reason().label,
          writer.table(),
          r.error());
    }
    log.debug("flushed {} rows into {}", written, writer.table());
  }

  /**
   * With nothing pending or in flight, every record before the position is in ClickHouse or is no
   * record at all (a transaction's commit marker, an aborted record, which a read_committed
   * consumer steps over): commit the position where it moved past what was committed, so that the
   * group's committed offset equals the log's end once the topic is written. Without it the offset
   * after a batch stops short of the marker that closes its transaction, and a lag measured as end
   * offset minus committed offset never reaches 0. Only partitions whose position is known (fetched
   * once).
   */
  private void commitPastControlRecords() {
    if (inFlight != null || !pending.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> moved = new HashMap<>();
    for (TopicPartition partition : consumer.assignment()) {
      if (consumer.currentLag(partition).isEmpty()) {
        continue; // not fetched yet: its position may still be unknown
      }
      long position = consumer.position(partition);
      Long done = committed.get(partition);
      if (done == null || position > done) {
        moved.put(partition, new OffsetAndMetadata(position));
      }
    }
    if (moved.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(moved);
      moved.forEach((partition, next) -> committed.put(partition, next.offset()));
    } catch (CommitFailedException | RebalanceInProgressException e) {
      log.debug(
          "position of {} not committed ({}); tried again on the next poll",
          moved.keySet(),
          e.getClass().getSimpleName());
    }
  }

  private void retryLater(Batch<V> failed, SQLException failure) {
    backoff = backoff.isZero() ? Duration.ofMillis(200) : min(backoff.multipliedBy(2), maxBackoff);
    retryNotBefore = System.currentTimeMillis() + backoff.toMillis();
    meters.backoff(backoff);
    log.warn(
        "insert of {} rows into {} failed, nothing committed; retrying in {} ms: {}",
        failed.rows().size(),
        writer.table(),
        backoff.toMillis(),
        failure.getMessage());
    rewind(failed.firstOffsets());
  }

  /**
   * Drops the pending batch and seeks every partition still ours back to the first offset not yet
   * in ClickHouse: the failed batch's where it has one (it precedes the pending rows), else the
   * pending batch's. A partition no longer ours is read from its committed offset by its owner.
   */
  private void rewind(Map<TopicPartition, Long> failed) {
    Map<TopicPartition, Long> firstUnwritten = new HashMap<>(pending.firstOffsets());
    firstUnwritten.putAll(failed);
    Set<TopicPartition> ours = consumer.assignment();
    firstUnwritten.forEach(
        (partition, offset) -> {
          if (ours.contains(partition)) {
            consumer.seek(partition, offset);
          }
        });
    pending = new Batch<>();
  }

  /**
   * The worker's own estimate of the lag, for {@code /metrics} and the stall clock: records not
   * read yet (the consumer's figure, from the last stable offset of its last fetch, so transaction
   * markers and aborted records do not count) and those read but not committed (pending and in
   * flight, also reported alone as pending). Unknown until every partition has been fetched once;
   * then kept as it was. It is as old as the last fetch, so it can say 0 while a transaction
   * committed since waits unread: {@code /health} measures the lag when asked instead ({@link
   * SinkOffsets}).
   */
  private void measureLag() {
    long lag = (long) pending.records() + (inFlight == null ? 0 : inFlight.records());
    meters.pending(lag);
    for (TopicPartition partition : consumer.assignment()) {
      OptionalLong unread = consumer.currentLag(partition);
      if (unread.isEmpty()) {
        return;
      }
      lag += unread.getAsLong();
    }
    meters.lag(lag);
    if (lag == 0) {
      meters.progressed();
    }
  }

  /** Bounded memory: while a full batch waits for its retry, read no more. */
  private void throttle() {
    if (pending.records() >= batchRows) {
      consumer.pause(consumer.assignment());
    } else if (!consumer.paused().isEmpty()) {
      consumer.resume(consumer.paused());
    }
  }

  /**
   * A clean stop: commit what ClickHouse already acknowledged, so a restart need not write it
   * again.
   */
  private void settleOnStop() {
    try {
      settle(true);
    } catch (WakeupException | InterruptException e) {
      log.debug(
          "stopped before the last batch of {} was settled; it will be written again",
          writer.table());
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Records polled, including those read again after a failed insert or a rebalance. */
  public long recordsRead() {
    return meters.recordsRead();
  }

  public long rowsWritten() {
    return meters.rowsWritten();
  }

  /**
   * Stops after the current poll and the insert in flight; pending rows are left uncommitted for
   * the next run.
   */
  @Override
  public void close() {
    running.set(false);
    consumer.wakeup();
  }
}
