package dev.routemetrics.streams;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says how much of its state a (re)started instance reads back from the changelogs, and how long
 * that takes: the part of a restart an operator waits for, and the figure transactional state
 * stores shrink (after a crash a store restores only past its committed offset, not from the
 * start). One line per store partition at its end, one when the last restore in flight ends, and
 * the counter {@code routemetrics.streams.restored.records}.
 */
final class RestoreProgress implements StateRestoreListener {

  private static final Logger log = LoggerFactory.getLogger(RestoreProgress.class);

  private final Counter restored;
  private final ConcurrentHashMap<TopicPartition, Long> startedAt = new ConcurrentHashMap<>();
  private final AtomicLong roundRecords = new AtomicLong();
  private final AtomicLong roundStartedAt = new AtomicLong();

  RestoreProgress(MeterRegistry meters) {
    this.restored =
        Counter.builder("routemetrics.streams.restored.records")
            .description("Changelog records read back into local state stores since start")
            .register(meters);
  }

  @Override
  public void onRestoreStart(
      TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
    long now = System.nanoTime();
    if (startedAt.isEmpty()) {
      roundStartedAt.set(now);
      roundRecords.set(0);
    }
    startedAt.put(partition, now);
    log.info(
        "restoring store {} from {} offsets {} to {} ({} to read at most)",
        storeName,
        partition,
        startingOffset,
        endingOffset,
        Math.max(0, endingOffset - startingOffset));
  }

  @Override
  public void onBatchRestored(
      TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
    restored.increment((double) numRestored);
    roundRecords.addAndGet(numRestored);
  }

  @Override
  public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
    end(partition, storeName, totalRestored, "restored");
  }

  @Override
  public void onRestoreSuspended(TopicPartition partition, String storeName, long totalRestored) {
    end(partition, storeName, totalRestored, "stopped restoring (task moved)");
  }

  private void end(TopicPartition partition, String storeName, long records, String what) {
    Long began = startedAt.remove(partition);
    long now = System.nanoTime();
    log.info(
        "{} store {} from {}: {} records in {} ms",
        what,
        storeName,
        partition,
        records,
        began == null ? -1 : (now - began) / 1_000_000);
    if (startedAt.isEmpty()) {
      log.info(
          "restores done: {} changelog records in {} ms",
          roundRecords.get(),
          (now - roundStartedAt.get()) / 1_000_000);
    }
  }
}
