package dev.routemetrics.streams;

import dev.routemetrics.events.QuarantineReason;
import dev.routemetrics.events.QuarantinedEvent;
import dev.routemetrics.schemas.wire.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * No poison pill: a record the topology cannot decode, or that makes a processor throw, is set
 * aside on quarantined-events (reason UNPROCESSABLE, its raw bytes as payload, {@code
 * topic/partition@offset} as its id), logged and counted, and the stream goes on. Without it, one
 * such record stopped every metric for good: the thread died on it, its replacement read the same
 * record and died again.
 *
 * <p>Kafka Streams sends the quarantine record as a dead-letter record of the same task, in the
 * same transaction as the offsets that skip the bad one, so it is set aside exactly once. The
 * handler is configured through the streams properties: {@link #TOPIC} names the quarantine topic,
 * {@link #DROPPED} carries the {@link DroppedRecords} to count in.
 */
public final class QuarantineOnError
    implements DeserializationExceptionHandler, ProcessingExceptionHandler {

  public static final String TOPIC = "routemetrics.quarantine.topic";
  public static final String DROPPED = "routemetrics.dropped.records";
  private static final Logger log = LoggerFactory.getLogger(QuarantineOnError.class);
  private static final AvroSerde<QuarantinedEvent> SERDE = AvroSerde.of(QuarantinedEvent.class);
  private static final int MAX_DETAIL = 1000;

  private String topic;
  private DroppedRecords dropped = DroppedRecords.inMemory();

  @Override
  public void configure(Map<String, ?> configs) {
    Object t = configs.get(TOPIC);
    if (t == null) {
      throw new IllegalArgumentException(TOPIC + " must name the quarantine topic");
    }
    topic = t.toString();
    if (configs.get(DROPPED) instanceof DroppedRecords d) {
      dropped = d;
    }
  }

  @Override
  public DeserializationExceptionHandler.Response handleError(
      ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    dropped.count(DroppedRecords.UNDECODABLE);
    return DeserializationExceptionHandler.Response.resume(
        List.of(quarantine(context, record.value(), "undecodable", exception)));
  }

  @Override
  public ProcessingExceptionHandler.Response handleError(
      ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    dropped.count(DroppedRecords.UNPROCESSABLE);
    return ProcessingExceptionHandler.Response.resume(
        List.of(
            quarantine(
                context,
                context.sourceRawValue(),
                "unprocessable in " + context.processorNodeId(),
                exception)));
  }

  private ProducerRecord<byte[], byte[]> quarantine(
      ErrorHandlerContext context, byte[] raw, String what, Exception e) {
    String id = context.topic() + "/" + context.partition() + "@" + context.offset();
    String detail = what + ": " + e;
    if (detail.length() > MAX_DETAIL) {
      detail = detail.substring(0, MAX_DETAIL);
    }
    log.error("record {} set aside as UNPROCESSABLE ({}); the stream goes on", id, what, e);
    QuarantinedEvent event =
        Quarantine.record(
            id,
            family(context.topic()),
            "",
            context.timestamp(),
            QuarantineReason.UNPROCESSABLE,
            detail,
            raw == null ? new byte[0] : raw);
    return new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), SERDE.encode(event));
  }

  /**
   * USAGE, BILLING or FEEDBACK from an event topic's name; the topology's own topics say which
   * stage.
   */
  static String family(String topic) {
    String t = topic == null ? "" : topic.toLowerCase(Locale.ROOT);
    if (t.endsWith("usage-events")) {
      return "USAGE";
    }
    if (t.endsWith("billing-events")) {
      return "BILLING";
    }
    if (t.endsWith("feedback-events")) {
      return "FEEDBACK";
    }
    return "INTERNAL";
  }
}
