package dev.routemetrics.streams;

import dev.routemetrics.events.BillingEvent;
import dev.routemetrics.events.FeedbackEvent;
import dev.routemetrics.events.UsageEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Windows are event time: the time the request, the money movement or the feedback happened, not
 * when Kafka received the record. A record that does not carry an event (never the case on our
 * topics) keeps the broker's timestamp.
 */
final class EventTime implements TimestampExtractor {

  /**
   * Kafka Streams skips a record with a negative timestamp, logging it only in its own metrics: an
   * event dated before 1970 keeps the broker's timestamp instead, so it reaches the gate, which
   * sets it aside with its reason.
   */
  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    long time = eventTime(record);
    if (time < 0) {
      return Math.max(0, record.timestamp());
    }
    // One record dated years ahead (written past the edge) would drag the task's stream time along;
    // it keeps the partition's time instead, and CheckBounds sets it aside.
    if (time > System.currentTimeMillis() + EventChecks.MAX_FUTURE_SKEW.toMillis()) {
      return Math.max(0, partitionTime);
    }
    return time;
  }

  private static long eventTime(ConsumerRecord<Object, Object> record) {
    Object value = record.value();
    if (value instanceof UsageEvent usage) {
      return usage.getEventTime().toEpochMilli();
    }
    if (value instanceof BillingEvent billing) {
      return billing.getEventTime().toEpochMilli();
    }
    if (value instanceof FeedbackEvent feedback) {
      return feedback.getEventTime().toEpochMilli();
    }
    return record.timestamp();
  }
}
