package dev.routemetrics.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.Options;

/** The memtable size a deployment sets reaches every persistent store's RocksDB options. */
class StoreMemtablesTest {

  @Test
  void shouldGiveEveryStoreTheConfiguredMemtableSize() {
    Map<String, Object> configs =
        Map.copyOf(
            new StreamsAppConfig(Map.of())
                .streamsProperties().entrySet().stream()
                    .collect(
                        java.util.stream.Collectors.toMap(
                            e -> e.getKey().toString(), e -> e.getValue())));
    assertThat(configs.get("rocksdb.config.setter")).isEqualTo(StoreMemtables.class);
    try (Options options = new Options()) {
      new StoreMemtables().setConfig("channel-window-totals", options, configs);
      assertThat(options.writeBufferSize()).isEqualTo(16L << 20); // Kafka's own
    }
    Map<String, Object> small = Map.of(StreamsAppConfig.MEMTABLE_BYTES, "262144");
    try (Options options = new Options()) {
      new StoreMemtables().setConfig("seen-usage-event-ids", options, small);
      assertThat(options.writeBufferSize()).isEqualTo(256L << 10);
    }
  }
}
