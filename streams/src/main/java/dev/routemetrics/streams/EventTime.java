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

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
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
