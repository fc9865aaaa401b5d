package dev.routemetrics.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The live objects on a real RocksDB store: what a commit took is in the store with the changelog
 * offset it was committed at, with Kafka Streams' transactional state stores (KIP-892) on or off.
 *
 * <p>Since Kafka Streams 4.4 a store keeps its committed changelog offsets itself and takes them in
 * {@code commit(Map)} (KIP-1035); a transactional store also writes its buffered changes only
 * there. A wrapper that does not pass the commit down leaves the changes of a transactional store
 * in a buffer that closing discards, so a restart resumed from a checkpoint past state the store no
 * longer held: ChannelMetricsIT's restart saw a window's version go backwards.
 */
class LiveObjectStoreOffsetsTest {

  private static final TopicPartition CHANGELOG = new TopicPartition("app-tallies-changelog", 0);

  @TempDir Path stateDir;

  @SuppressWarnings("deprecation") // managesOffsets(): deprecated for users, still what Kafka reads
  @ParameterizedTest(name = "transactional state stores {0}")
  @ValueSource(booleans = {true, false})
  void shouldKeepWhatACommitTookAndItsOffsetAcrossAClose(boolean transactional) throws Exception {
    LiveObjectStore<String> store = open(transactional);
    assertThat(store.managesOffsets()).as("the store below keeps the offsets").isTrue();
    store.put("channel|HOUR|0", "v1");
    store.flushCache(); // Kafka Streams, before the transaction commits
    store.commit(Map.of(CHANGELOG, 41L)); // and after, with the changelog offset it reached
    store.put("channel|HOUR|0", "v2-uncommitted");
    store.close();

    LiveObjectStore<String> reopened = open(transactional);
    assertThat(reopened.committedOffset(CHANGELOG)).isEqualTo(41L);
    assertThat(reopened.get("channel|HOUR|0"))
        .as("the committed value, never a later one the commit did not take")
        .isEqualTo("v1");
    reopened.close();
  }

  private LiveObjectStore<String> open(boolean transactional) throws Exception {
    Files.createDirectories(stateDir);
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "live-object-store-offsets");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1");
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    config.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, transactional);
    StateStoreContext context =
        new MockProcessorContext<>(config, new TaskId(0, 0), stateDir.toFile())
            .getStateStoreContext();
    KeyValueStore<String, String> store =
        LiveObjectStore.builder(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore("tallies"), Serdes.String(), Serdes.String())
                    .withLoggingDisabled(),
                LiveObjectStore.Budget.<String>objects(10))
            .build();
    store.init(context, store);
    return (LiveObjectStore<String>) store;
  }
}
