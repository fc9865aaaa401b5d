package dev.routemetrics.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * routemetrics.streams.transaction.timeout.ms reaches the stream threads' producers: on the loaded
 * loopback cluster (docs/reliability.md, the cluster fault run) Kafka Streams' 10 s let the
 * transaction coordinator abort transactions still in progress, and the threads died on
 * InvalidTxnStateException / InvalidProducerEpochException and were replaced.
 */
class StreamsTimeoutsConfigTest {

  @Test
  void shouldKeepKafkaStreamsTenSecondsByDefaultAndPassAnOverrideToTheProducers() {
    Properties byDefault = new StreamsAppConfig(Map.of()).streamsProperties();
    // Kafka Streams' own value under exactly-once (StreamsConfig's producer default): 10,000 ms.
    assertThat(byDefault.get("producer.transaction.timeout.ms")).isEqualTo(10_000);

    Properties loaded =
        new StreamsAppConfig(Map.of(StreamsAppConfig.TRANSACTION_TIMEOUT_MS, "60000"))
            .streamsProperties();
    assertThat(loaded.get("producer.transaction.timeout.ms")).isEqualTo(60_000);
  }

  @Test
  void shouldRefuseATimeoutTheBrokersWouldRefuse() {
    // The brokers' transaction.max.timeout.ms defaults to 15 minutes (900,000 ms); a producer
    // asking for more
    // fails at its first transaction, so the setting says so at start instead.
    assertThatThrownBy(
            () -> new StreamsAppConfig(Map.of(StreamsAppConfig.TRANSACTION_TIMEOUT_MS, "900001")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(StreamsAppConfig.TRANSACTION_TIMEOUT_MS);
  }

  @Test
  void shouldKeepLocalStateAcrossACrashByDefaultAndLetADeploymentTurnThatOff() {
    assertThat(
            new StreamsAppConfig(Map.of())
                .streamsProperties()
                .get("enable.transactional.statestores"))
        .isEqualTo(true);
    assertThat(
            new StreamsAppConfig(Map.of(StreamsAppConfig.TRANSACTIONAL_STATE_STORES, "false"))
                .streamsProperties()
                .get("enable.transactional.statestores"))
        .isEqualTo(false);
  }
}
