package dev.routemetrics.sink;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The sink's lag as the broker sees it, measured when asked: per topic, the records after its
 * consumer group's committed offsets, up to each partition's high watermark: every record the
 * broker has acknowledged, in a transaction still open too. Not the last stable offset: the streams
 * app writes its outputs in transactions, and Kafka writes a transaction's commit markers to its
 * partitions one at a time after the commit returns, so for a moment the app's input offsets are
 * committed while its outputs are not yet readable; a lag counted to the readable end was 0 then,
 * and the pipeline said drained before ClickHouse had the rows (SinkIT). A worker commits only once
 * ClickHouse acknowledged a batch, and commits past the transaction markers and aborted records
 * once idle ({@link SinkWorker}), so 0 means ClickHouse holds every record the topic had when
 * asked, with nothing pending or still to be decided. A partition its group never committed counts
 * from the log's start (the sink reads from the earliest offset).
 *
 * <p>The end offsets are asked before the committed ones: a record that arrives in between is not
 * counted, but it arrived after the question, and a commit in between can only make the lag smaller
 * than the truth was at the first answer, never hide a record that was there before it.
 */
final class SinkOffsets implements SinkTelemetry.LagSource, AutoCloseable {

  private static final long TIMEOUT_MS = 5_000;

  private final Admin admin;
  private final Map<String, String> groupByTopic;

  /**
   * {@code groupByTopic}: each topic the sink reads and the consumer group its worker commits in.
   */
  SinkOffsets(String bootstrap, Map<String, String> groupByTopic) {
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) TIMEOUT_MS,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                (int) TIMEOUT_MS));
    this.groupByTopic = Map.copyOf(groupByTopic);
  }

  @Override
  public synchronized Map<String, Long> lagPerTopic() throws Exception {
    Map<String, TopicDescription> topics =
        admin
            .describeTopics(groupByTopic.keySet())
            .allTopicNames()
            .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    Map<String, List<TopicPartition>> partitions = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    topics.forEach(
        (topic, description) ->
            description
                .partitions()
                .forEach(
                    p -> {
                      TopicPartition partition = new TopicPartition(topic, p.partition());
                      partitions.computeIfAbsent(topic, t -> new ArrayList<>()).add(partition);
                      latest.put(partition, OffsetSpec.latest());
                      earliest.put(partition, OffsetSpec.earliest());
                    }));
    Map<TopicPartition, ListOffsetsResultInfo> ends =
        admin
            .listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
            .all()
            .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    Map<TopicPartition, ListOffsetsResultInfo> starts =
        admin.listOffsets(earliest).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
    partitions.forEach(
        (topic, parts) ->
            specs.put(
                groupByTopic.get(topic),
                new ListConsumerGroupOffsetsSpec().topicPartitions(parts)));
    Map<String, Map<TopicPartition, OffsetAndMetadata>> committed =
        admin.listConsumerGroupOffsets(specs).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    Map<String, Long> lag = new LinkedHashMap<>();
    partitions.forEach(
        (topic, parts) -> {
          Map<TopicPartition, OffsetAndMetadata> done =
              committed.getOrDefault(groupByTopic.get(topic), Map.of());
          long records = 0;
          for (TopicPartition partition : parts) {
            OffsetAndMetadata offset = done.get(partition);
            long from = offset == null ? starts.get(partition).offset() : offset.offset();
            records += Math.max(0, ends.get(partition).offset() - from);
          }
          lag.put(topic, records);
        });
    return lag;
  }

  @Override
  public void close() {
    admin.close();
  }
}
