package dev.routemetrics.streams;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.Options;

/**
 * Sizes the RocksDB memtables of every persistent store ({@link StreamsAppConfig#MEMTABLE_BYTES}).
 *
 * <p>Why: Kafka Streams writes RocksDB without its write-ahead log (the changelog is the log), so
 * after a crash a store holds what its last memtable flush wrote, and since 4.4 the changelog
 * offset it reached is flushed with it. A transactional store restores only the changelog past that
 * offset; a store whose memtable never filled up restores from the start. With Kafka's 16 MiB (the
 * default here too) the small stores of a 300k-event fault run never filled one, and a SIGKILL
 * restored 746,297 changelog records; with 256 KiB, 112,234. Smaller memtables cost throughput (1
 * MiB: 10 % of bench-streams' rate), so the default stays Kafka's: a store big enough for its
 * restore to matter flushes often at 16 MiB too.
 */
public final class StoreMemtables implements RocksDBConfigSetter {

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    Object bytes = configs.get(StreamsAppConfig.MEMTABLE_BYTES);
    if (bytes != null) {
      options.setWriteBufferSize(Long.parseLong(bytes.toString()));
    }
  }

  @Override
  public void close(String storeName, Options options) {}
}
