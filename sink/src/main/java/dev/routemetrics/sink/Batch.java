package dev.routemetrics.sink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Decoded rows of one insert, and the offsets they came from: per partition the first (where to
 * rewind to if the insert fails) and the one after the last (what to commit once it succeeded).
 * Each row keeps the record it came from, so that one ClickHouse refuses can be set aside by its
 * offset and bytes. Records that did not decode count as read, so their offsets are covered, and
 * are kept as {@link Rejection}s instead of rows.
 */
final class Batch<V> {

  private final List<V> rows = new ArrayList<>();
  private final List<ConsumerRecord<String, byte[]>> sources = new ArrayList<>();
  private final List<Rejection> rejected = new ArrayList<>();
  private final Map<TopicPartition, Long> first = new HashMap<>();
  private final Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
  private long startedAt;
  private int records;

  /** Records {@code firstOffset} to {@code lastOffset} of one partition read, in one poll. */
  void covers(TopicPartition partition, long firstOffset, long lastOffset) {
    if (records == 0) {
      startedAt = System.currentTimeMillis();
    }
    first.putIfAbsent(partition, firstOffset);
    next.put(partition, new OffsetAndMetadata(lastOffset + 1));
  }

  /** One record read (after {@link #covers} for its partition) and decoded into {@code row}. */
  void add(ConsumerRecord<String, byte[]> source, V row) {
    records++;
    rows.add(row);
    sources.add(source);
  }

  /** One record read (after {@link #covers} for its partition) that did not decode. */
  void reject(Rejection rejection) {
    records++;
    rejected.add(rejection);
  }

  boolean isEmpty() {
    return records == 0;
  }

  /** Records read, decoded or not. */
  int records() {
    return records;
  }

  /** When the first record came in: the flush interval counts from the oldest row waiting. */
  long startedAt() {
    return startedAt;
  }

  List<V> rows() {
    return rows;
  }

  /** The record each row came from, in the rows' order. */
  List<ConsumerRecord<String, byte[]>> sources() {
    return sources;
  }

  /** Records that did not decode. */
  List<Rejection> rejected() {
    return rejected;
  }

  Map<TopicPartition, Long> firstOffsets() {
    return first;
  }

  Map<TopicPartition, OffsetAndMetadata> nextOffsets() {
    return next;
  }
}
