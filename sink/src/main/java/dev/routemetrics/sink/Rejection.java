package dev.routemetrics.sink;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A record the sink read and set aside instead of writing: where it is in Kafka, its bytes, why,
 * and what went wrong. Kept in {@code sink_rejected_records} and counted per topic and reason.
 */
// The payload is carried as read, to be stored; rejections are never compared or hashed.
@SuppressWarnings("ArrayRecordComponent")
public record Rejection(
    String topic,
    int partition,
    long offset,
    long timestamp,
    byte[] payload,
    Reason reason,
    String error) {

  /**
   * Why a record was set aside; {@link #label} is the metric's {@code reason} tag and the table's
   * column.
   */
  public enum Reason {
    /** Not a record of the topic's schema (wrong bytes, unknown fingerprint, truncated). */
    UNDECODABLE("undecodable"),
    /**
     * Decoded, but a value its column cannot hold (a negative count, 300 control points in a
     * UInt8).
     */
    OUT_OF_RANGE("out-of-range"),
    /**
     * ClickHouse refused the row itself (a value it cannot parse into its column), alone in an
     * insert.
     */
    REFUSED("refused-by-clickhouse");

    public final String label;

    Reason(String label) {
      this.label = label;
    }
  }

  /**
   * Error text for a log line or a column: its first line, at most 1,000 characters (ClickHouse
   * appends row dumps).
   */
  static String firstLine(String message) {
    String text = message == null ? "" : message.strip();
    int end = text.indexOf('\n');
    text = end < 0 ? text : text.substring(0, end).strip();
    return text.length() <= 1000 ? text : text.substring(0, 1000) + "...";
  }

  static Rejection of(ConsumerRecord<?, byte[]> record, Reason reason, String error) {
    return new Rejection(
        record.topic(),
        record.partition(),
        record.offset(),
        record.timestamp(),
        record.value() == null ? new byte[0] : record.value(),
        reason,
        firstLine(error));
  }

  /** {@code topic-partition@offset}, as the sink's log lines name a record. */
  String where() {
    return topic + "-" + partition + "@" + offset;
  }
}
