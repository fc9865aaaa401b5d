package dev.routemetrics.streams;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.junit.jupiter.api.Test;

/**
 * The one internal of Kafka Streams the exactly-once argument rests on, pinned: {@link
 * LiveObjectStore} writes its live objects through in {@code CachedStateStore.flushCache()}, which
 * Kafka Streams calls on every store before it commits a transaction. Verified for the version
 * below (ChannelMetricsIT's restart case and FaultRunIT). An upgrade fails here first: re-verify
 * that flushCache still runs before the commit (read StreamTask#prepareCommit and
 * ProcessorStateManager#flushCache), run those tests, then move the pin.
 */
class KafkaStreamsInternalsTest {

  static final String VERIFIED_VERSION = "4.4.0";

  @Test
  void shouldRunOnTheKafkaStreamsVersionWhoseCommitOrderWasVerified() throws Exception {
    java.util.Properties kafka = new java.util.Properties();
    try (var in =
        org.apache.kafka.streams.KafkaStreams.class.getResourceAsStream(
            "/kafka/kafka-version.properties")) {
      kafka.load(in);
    }
    assertThat(kafka.getProperty("version"))
        .as(
            "LiveObjectStore relies on CachedStateStore.flushCache() running before each"
                + " exactly-once commit; re-verify it for this version, then update"
                + " VERIFIED_VERSION")
        .isEqualTo(VERIFIED_VERSION);
  }

  @Test
  void shouldStillOfferTheHooksLiveObjectStoreImplements() throws Exception {
    assertThat(CachedStateStore.class.getMethod("flushCache").getReturnType())
        .isEqualTo(void.class);
    assertThat(CachedStateStore.class.getMethod("clearCache").getReturnType())
        .isEqualTo(void.class);
    assertThat(CachedStateStore.class).isAssignableFrom(LiveObjectStore.class);
  }
}
