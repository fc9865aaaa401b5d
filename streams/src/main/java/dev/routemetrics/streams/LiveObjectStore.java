package dev.routemetrics.streams;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A key-value store that keeps its most recently used values as live objects in front of a
 * changelogged store, and writes the changed ones through only when Kafka Streams flushes its
 * stores before a commit (or when one is evicted).
 *
 * <p>Why: a window tally holds distinct-count and quantile sketches whose serialized form grows to
 * hundreds of kilobytes for a busy DAY window. Kafka's own cache sits below the serdes, so every
 * {@code get} and {@code put} of a tally would decode and encode its sketches: per event, for three
 * windows. Here an event costs a map lookup, and a busy window is encoded once per commit.
 *
 * <p>Why it is still exactly once: Kafka Streams registers the outermost store of a builder with
 * its state manager, which, before it commits the transaction with the input offsets, flushes the
 * caches of every registered store that is a {@link CachedStateStore} (its own caching layer's
 * interface, internal but the one hook that runs before the commit: {@code flush()} itself only
 * runs after it, for the checkpoint). So every change folded before a commit is in the changelog of
 * that commit; a crash in between loses the live objects together with the uncommitted input, and
 * the events are folded again from the committed state. With transactional state stores the store
 * below holds those writes in its batch until Kafka Streams commits the stores after the
 * transaction ({@code commit(Map)}, passed down), then writes them with the changelog offset they
 * reach, so a crash keeps exactly the committed state. The live objects are dropped whenever the
 * store is (re)initialized, closed or told to clear its cache (after a dirty close), so they never
 * outlive the committed state they came from. {@code ChannelMetricsIT} restarts the application and
 * checks that versions only grow and nothing is lost or counted twice.
 */
final class LiveObjectStore<V> implements KeyValueStore<String, V>, CachedStateStore<String, V> {

  /**
   * How many values may stay live, and how many bytes of heap they may take by {@code weigher}'s
   * estimate: the least recently used go first once either is exceeded. A count alone does not
   * bound the heap when values grow (a tally's sketches do, with the distinct accounts it saw).
   */
  record Budget<V>(int maxLiveObjects, long maxBytes, ToLongFunction<V> weigher) {
    static <V> Budget<V> objects(int maxLiveObjects) {
      return new Budget<>(maxLiveObjects, Long.MAX_VALUE, v -> 0);
    }
  }

  private final KeyValueStore<String, V> inner;
  private final Budget<V> budget;

  /** In access order, least recently used first. */
  private final LinkedHashMap<String, V> live = new LinkedHashMap<>(64, 0.75f, true);

  private final Map<String, Long> weights = new HashMap<>();
  private long liveBytes;
  private final Set<String> changed = new LinkedHashSet<>();

  /**
   * Live keys the store below is known not to hold: created after a {@code get} found nothing, and
   * not written through since. Deleting one needs no tombstone, so a partial tally folded and
   * shipped between two commits costs no changelog record at all (before, every shipped partial
   * cost two: a write-through and its tombstone, 160,181 changelog records for 80,181 partials in a
   * 300k run).
   */
  private final Set<String> notBelow = new HashSet<>();

  /** The key the last {@code get} found neither live nor below. */
  private String lastAbsent;

  LiveObjectStore(KeyValueStore<String, V> inner, Budget<V> budget) {
    this.inner = inner;
    this.budget = budget;
  }

  /**
   * Keeps {@code value} live, then makes room: an evicted changed value is written through first.
   */
  private void keepLive(String key, V value) {
    live.put(key, value);
    long weight = budget.weigher().applyAsLong(value);
    Long before = weights.put(key, weight);
    liveBytes += weight - (before == null ? 0 : before);
    Iterator<Map.Entry<String, V>> eldest = live.entrySet().iterator();
    while ((live.size() > budget.maxLiveObjects() || liveBytes > budget.maxBytes())
        && live.size() > 1) {
      Map.Entry<String, V> evicted = eldest.next();
      if (changed.remove(evicted.getKey())) {
        inner.put(evicted.getKey(), evicted.getValue());
      }
      notBelow.remove(evicted.getKey());
      liveBytes -= weights.remove(evicted.getKey());
      eldest.remove();
    }
  }

  private V dropLive(String key) {
    Long weight = weights.remove(key);
    if (weight != null) {
      liveBytes -= weight;
    }
    return live.remove(key);
  }

  /** Live values' estimated bytes, for tests. */
  long liveBytes() {
    return liveBytes;
  }

  /** Wraps the stores {@code builder} builds, keeping values live within {@code budget}. */
  static <V> StoreBuilder<KeyValueStore<String, V>> builder(
      StoreBuilder<KeyValueStore<String, V>> builder, Budget<V> budget) {
    return new StoreBuilder<>() {
      @Override
      public StoreBuilder<KeyValueStore<String, V>> withCachingEnabled() {
        builder.withCachingEnabled();
        return this;
      }

      @Override
      public StoreBuilder<KeyValueStore<String, V>> withCachingDisabled() {
        builder.withCachingDisabled();
        return this;
      }

      @Override
      public StoreBuilder<KeyValueStore<String, V>> withLoggingEnabled(Map<String, String> config) {
        builder.withLoggingEnabled(config);
        return this;
      }

      @Override
      public StoreBuilder<KeyValueStore<String, V>> withLoggingDisabled() {
        builder.withLoggingDisabled();
        return this;
      }

      @Override
      public KeyValueStore<String, V> build() {
        return new LiveObjectStore<>(builder.build(), budget);
      }

      @Override
      public Map<String, String> logConfig() {
        return builder.logConfig();
      }

      @Override
      public boolean loggingEnabled() {
        return builder.loggingEnabled();
      }

      @Override
      public String name() {
        return builder.name();
      }
    };
  }

  @Override
  public V get(String key) {
    V value = live.get(key);
    if (value == null) {
      value = inner.get(key);
      if (value != null) {
        keepLive(key, value);
      } else {
        lastAbsent = key;
      }
    }
    return value;
  }

  @Override
  public void put(String key, V value) {
    if (value == null) {
      delete(key);
      return;
    }
    if (key.equals(lastAbsent) && !live.containsKey(key)) {
      notBelow.add(key);
    }
    lastAbsent = null;
    // Marked before it goes in, so an eviction triggered by this very put writes it through.
    changed.add(key);
    keepLive(key, value);
  }

  @Override
  public V putIfAbsent(String key, V value) {
    V existing = get(key);
    if (existing == null) {
      put(key, value);
    }
    return existing;
  }

  @Override
  public void putAll(List<KeyValue<String, V>> entries) {
    entries.forEach(e -> put(e.key, e.value));
  }

  @Override
  public V delete(String key) {
    V value = dropLive(key);
    changed.remove(key);
    if (notBelow.remove(key)) {
      return value;
    }
    V stored = inner.delete(key);
    return value != null ? value : stored;
  }

  @Override
  public void flushCache() {
    writeThrough();
    if (inner instanceof CachedStateStore<?, ?> cached) {
      cached.flushCache();
    }
  }

  @Override
  public void clearCache() {
    forgetLiveObjects();
    if (inner instanceof CachedStateStore<?, ?> cached) {
      cached.clearCache();
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public boolean setFlushListener(CacheFlushListener<String, V> listener, boolean sendOldValues) {
    return inner instanceof CachedStateStore<?, ?> cached
        && ((CachedStateStore<String, V>) cached).setFlushListener(listener, sendOldValues);
  }

  // Kafka 4.4 deprecates flush() for commit(Map) (KIP-1035); kept for whatever still calls it.
  @Override
  @SuppressWarnings("deprecation")
  public void flush() {
    writeThrough();
    inner.flush();
  }

  /**
   * Passes the commit down: since Kafka Streams 4.4 the store below keeps its committed changelog
   * offsets itself, and a transactional one (KIP-892) writes its buffered changes only here.
   * Nothing is left to write through by now (flushCache ran before the transaction committed).
   */
  @Override
  public void commit(Map<TopicPartition, Long> changelogOffsets) {
    writeThrough();
    inner.commit(changelogOffsets);
  }

  /**
   * The store below's answer: it keeps the offsets (RocksDB in 4.4 always does), so Kafka Streams
   * neither wraps this store in its legacy checkpoint file nor wipes it when it finds none.
   */
  @Override
  @SuppressWarnings("deprecation")
  public boolean managesOffsets() {
    return inner.managesOffsets();
  }

  @Override
  public Long committedOffset(TopicPartition partition) {
    return inner.committedOffset(partition);
  }

  @Override
  public long approximateNumUncommittedBytes() {
    return inner.approximateNumUncommittedBytes();
  }

  private void writeThrough() {
    for (String key : changed) {
      inner.put(key, live.get(key));
    }
    notBelow.removeAll(changed);
    changed.clear();
  }

  // Ranges read the inner store, so they first write every change through; nothing here uses them.

  @Override
  public KeyValueIterator<String, V> range(String from, String to) {
    writeThrough();
    return inner.range(from, to);
  }

  @Override
  public KeyValueIterator<String, V> reverseRange(String from, String to) {
    writeThrough();
    return inner.reverseRange(from, to);
  }

  /**
   * A snapshot of every value, live ones over those below, in key order, written through nowhere:
   * the partial tallies drained at each emit are scanned this way, so a partial shipped and deleted
   * before the commit never reaches the changelog. Meant for small stores (it copies them).
   */
  @Override
  public KeyValueIterator<String, V> all() {
    TreeMap<String, V> snapshot = new TreeMap<>();
    try (KeyValueIterator<String, V> below = inner.all()) {
      below.forEachRemaining(kv -> snapshot.put(kv.key, kv.value));
    }
    snapshot.putAll(live);
    Iterator<Map.Entry<String, V>> entries = snapshot.entrySet().iterator();
    return new KeyValueIterator<>() {
      private Map.Entry<String, V> peeked;

      @Override
      public boolean hasNext() {
        return peeked != null || entries.hasNext();
      }

      @Override
      public KeyValue<String, V> next() {
        Map.Entry<String, V> e = peeked != null ? peeked : entries.next();
        peeked = null;
        return KeyValue.pair(e.getKey(), e.getValue());
      }

      @Override
      public String peekNextKey() {
        if (peeked == null) {
          peeked = entries.next();
        }
        return peeked.getKey();
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public KeyValueIterator<String, V> reverseAll() {
    writeThrough();
    return inner.reverseAll();
  }

  @Override
  public long approximateNumEntries() {
    return inner.approximateNumEntries() + changed.size();
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    forgetLiveObjects();
    inner.init(context, root);
  }

  @Override
  public void close() {
    forgetLiveObjects();
    inner.close();
  }

  private void forgetLiveObjects() {
    live.clear();
    weights.clear();
    liveBytes = 0;
    changed.clear();
    notBelow.clear();
    lastAbsent = null;
  }

  @Override
  public boolean persistent() {
    return inner.persistent();
  }

  @Override
  public boolean isOpen() {
    return inner.isOpen();
  }

  @Override
  public Position getPosition() {
    return inner.getPosition();
  }
}
