package dev.routemetrics.streams;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * The join entries one task has for one partition of the coverage join, in the order it folded
 * them: fold before the shuffle, for the join. Sent one record per entry, every usage event cost a
 * repartition record and a pass through Kafka Streams in the join's task besides its store write; a
 * batch costs one of each per emit interval and partition.
 *
 * <p>A request_id's partition is the one Kafka's default partitioner gives the id as a key
 * (murmur2), over the join's partition count, so the join's tasks hold the same request_ids they
 * held when entries travelled one by one. {@link #PARTITIONER} sends a batch to its partition and
 * refuses one that names a partition the topic does not have.
 */
final class JoinBatch {

  /** Serialized form's first byte; a batch of another format is refused, never misread. */
  static final byte FORMAT = 1;

  /** A batch is shipped at once when it reaches this many entries (about 50 bytes each). */
  static final int MAX_ENTRIES = 4096;

  final int partition;
  private final List<String> requestIds = new ArrayList<>();
  private final List<JoinEntry> entries = new ArrayList<>();
  private long maxTime = Long.MIN_VALUE;

  JoinBatch(int partition) {
    this.partition = partition;
  }

  /** The partition of the join that keeps {@code requestId}, among {@code partitions}. */
  static int partitionOf(String requestId, int partitions) {
    return Utils.toPositive(Utils.murmur2(requestId.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /** The key a batch for {@code partition} is held and shipped under. */
  static String key(int partition) {
    return Integer.toString(partition);
  }

  void add(String requestId, JoinEntry entry) {
    requestIds.add(requestId);
    entries.add(entry);
    maxTime = Math.max(maxTime, entry.time());
  }

  int size() {
    return entries.size();
  }

  /** The newest event time among the entries: the batch's record timestamp. */
  long maxTime() {
    return maxTime;
  }

  /** Hands every entry, in order, to {@code entry} with its request_id. */
  void forEach(BiConsumer<String, JoinEntry> entry) {
    for (int i = 0; i < entries.size(); i++) {
      entry.accept(requestIds.get(i), entries.get(i));
    }
  }

  /** Sends each batch to the partition it was made for. */
  static final StreamPartitioner<String, JoinBatch> PARTITIONER =
      new StreamPartitioner<>() {
        // The one abstract method, marked for removal in favour of the one with headers, which
        // calls it by default: both answer the same.
        @Override
        @SuppressWarnings("removal")
        public Optional<Set<Integer>> partitions(
            String topic, String key, JoinBatch batch, int numPartitions) {
          if (batch.partition >= numPartitions) {
            throw new IllegalStateException(
                "join batch for partition "
                    + batch.partition
                    + " but "
                    + topic
                    + " has "
                    + numPartitions
                    + " partitions: the join's partition count changed under a running"
                    + " application; derive the metrics again (deploy/rebuild.sh)");
          }
          return Optional.of(Set.of(batch.partition));
        }
      };

  static final Serde<JoinBatch> SERDE =
      Serdes.serdeFrom(
          (topic, batch) -> batch == null ? null : batch.encode(),
          (topic, bytes) -> bytes == null ? null : decode(bytes));

  /**
   * Format 1: the format byte, the partition, the entry count, then per entry its request_id, its
   * kind and its fields. Strings are length-prefixed UTF-8: DataOutputStream's writeUTF, a
   * character at a time, was most of the cost of shipping a batch in the profile (and a dictionary
   * of channel ids cost more in hashing each event's fresh string than it saved in bytes).
   */
  private byte[] encode() {
    byte[][] ids = new byte[entries.size()][];
    byte[][] channels = new byte[entries.size()][];
    int size = 1 + 4 + 4;
    for (int i = 0; i < entries.size(); i++) {
      ids[i] = requestIds.get(i).getBytes(StandardCharsets.UTF_8);
      size += 4 + ids[i].length + 1 + 8; // request_id, kind, time
      if (entries.get(i) instanceof JoinEntry.Request r) {
        channels[i] = r.channelId().getBytes(StandardCharsets.UTF_8);
        size += 4 + 4 + channels[i].length; // request count, channel
      } else {
        size += 1; // trainable
      }
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(FORMAT).putInt(partition).putInt(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      out.putInt(ids[i].length).put(ids[i]);
      if (entries.get(i) instanceof JoinEntry.Request r) {
        out.put(JoinEntry.REQUEST).putLong(r.time()).putInt(r.requestCount());
        out.putInt(channels[i].length).put(channels[i]);
      } else {
        JoinEntry.Feedback f = (JoinEntry.Feedback) entries.get(i);
        out.put(JoinEntry.FEEDBACK).putLong(f.time()).put((byte) (f.trainable() ? 1 : 0));
      }
    }
    return out.array();
  }

  private static JoinBatch decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    byte format = in.get();
    if (format != FORMAT) {
      throw new IllegalArgumentException(
          "join batch of format " + format + ", this version reads " + FORMAT);
    }
    JoinBatch batch = new JoinBatch(in.getInt());
    int count = in.getInt();
    for (int i = 0; i < count; i++) {
      String requestId = string(in);
      byte kind = in.get();
      if (kind == JoinEntry.REQUEST) {
        long time = in.getLong();
        int requestCount = in.getInt();
        batch.add(requestId, new JoinEntry.Request(string(in), time, requestCount));
      } else if (kind == JoinEntry.FEEDBACK) {
        batch.add(requestId, new JoinEntry.Feedback(in.getLong(), in.get() == 1));
      } else {
        throw new IllegalArgumentException("unknown join entry kind " + kind);
      }
    }
    return batch;
  }

  private static String string(ByteBuffer in) {
    byte[] bytes = new byte[in.getInt()];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
