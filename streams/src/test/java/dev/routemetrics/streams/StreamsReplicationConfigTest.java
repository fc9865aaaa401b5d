package dev.routemetrics.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/** routemetrics.kafka.replication.factor reaches Kafka Streams' internal topics. */
class StreamsReplicationConfigTest {

  @Test
  void shouldReplicateInternalTopicsAsConfigured() {
    Properties single =
        new StreamsAppConfig(Map.of(StreamsAppConfig.REPLICATION_FACTOR, 1)).streamsProperties();
    assertThat(single.get(StreamsConfig.REPLICATION_FACTOR_CONFIG)).isEqualTo(1);
    assertThat(single).doesNotContainKey("topic.min.insync.replicas");

    Properties cluster =
        new StreamsAppConfig(Map.of(StreamsAppConfig.REPLICATION_FACTOR, "3")).streamsProperties();
    assertThat(cluster.get(StreamsConfig.REPLICATION_FACTOR_CONFIG)).isEqualTo(3);
    assertThat(cluster.get("topic.min.insync.replicas")).isEqualTo("2");
  }
}
