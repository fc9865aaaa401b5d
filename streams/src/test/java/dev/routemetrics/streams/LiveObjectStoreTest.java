package dev.routemetrics.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The live objects stay within their budget, and what leaves them early is written through, never
 * lost.
 */
class LiveObjectStoreTest {

  /** What the store below the live objects holds: written through on eviction or commit. */
  private final Map<String, String> stored = new TreeMap<>();

  /** Every write the store below was asked for (each one a changelog record in Kafka Streams). */
  private final List<String> writes = new ArrayList<>();

  private LiveObjectStore<String> store;

  @BeforeEach
  void setUp() {
    @SuppressWarnings("unchecked")
    KeyValueStore<String, String> inner =
        (KeyValueStore<String, String>)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {KeyValueStore.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "get" -> stored.get(args[0]);
                      case "put" -> {
                        writes.add("put " + args[0]);
                        yield stored.put((String) args[0], (String) args[1]);
                      }
                      case "delete" -> {
                        writes.add("delete " + args[0]);
                        yield stored.remove(args[0]);
                      }
                      case "all" -> iterator(new ArrayList<>(stored.entrySet()).iterator());
                      case "flush" -> null;
                      default -> throw new UnsupportedOperationException(method.getName());
                    });
    // Values weigh their length: at most 1000 "bytes" and 10 objects live.
    store = new LiveObjectStore<>(inner, new LiveObjectStore.Budget<>(10, 1_000, String::length));
  }

  @Test
  void shouldEvictTheLeastRecentlyUsedOnceOverItsBytesAndWriteItThrough() {
    store.put("a", "x".repeat(500));
    store.put("b", "x".repeat(400));
    assertThat(stored).isEmpty(); // 900 of 1000: all live, nothing written yet
    store.put("c", "x".repeat(300)); // 1200: "a", least recently used, goes
    assertThat(stored).containsOnlyKeys("a");
    assertThat(store.liveBytes()).isEqualTo(700);
    assertThat(store.get("a")).hasSize(500); // read back, live again: 1200, so "b" goes
    assertThat(stored).containsOnlyKeys("a", "b");
    assertThat(store.liveBytes()).isEqualTo(800);
  }

  @Test
  void shouldWeighAValueAgainWhenItIsPutBackGrown() {
    store.put("a", "x".repeat(100));
    store.put("b", "x".repeat(100));
    store.put("a", "x".repeat(950)); // grown in place and put back: 1050, so "b" goes
    assertThat(stored).containsOnlyKeys("b");
    assertThat(store.liveBytes()).isEqualTo(950);
  }

  @Test
  void shouldKeepNoMoreObjectsThanItsCount() {
    for (int i = 0; i < 12; i++) {
      store.put("k" + i, "v");
    }
    assertThat(stored).containsOnlyKeys("k0", "k1");
    assertThat(store.liveBytes()).isEqualTo(10);
  }

  @Test
  void shouldWriteEveryChangedValueThroughOnFlushAndForgetNothing() {
    store.put("a", "x".repeat(600));
    store.put("b", "x".repeat(600)); // "a" evicted and written through
    store.flush(); // "b" written through
    assertThat(stored).containsOnlyKeys("a", "b");
    store.delete("a");
    assertThat(stored).containsOnlyKeys("b");
    assertThat(store.get("a")).isNull();
  }

  @Test
  void shouldWriteNothingBelowForAValueDeletedBeforeItWasEverWrittenThrough() {
    assertThat(store.get("a")).isNull();
    store.put("a", "partial");
    store.delete("a"); // shipped before the commit: nothing to restore, so no tombstone either
    store.flush();
    assertThat(writes).isEmpty();
  }

  @Test
  void shouldDeleteBelowWhatWasWrittenThroughOrReadFromBelow() {
    store.put("a", "x");
    store.flush();
    stored.put("r", "restored");
    assertThat(store.get("r")).isEqualTo("restored");
    store.delete("a");
    store.delete("r");
    store.delete("never-seen"); // not known absent below, so deleted there too
    assertThat(writes).containsExactly("put a", "delete a", "delete r", "delete never-seen");
    assertThat(stored).isEmpty();
  }

  @Test
  void shouldScanLiveAndStoredValuesInKeyOrderWithoutWritingThrough() {
    stored.put("b", "stored");
    stored.put("d", "old");
    store.put("c", "live");
    store.put("d", "new");
    List<String> scanned = new ArrayList<>();
    try (KeyValueIterator<String, String> it = store.all()) {
      it.forEachRemaining(kv -> scanned.add(kv.key + "=" + kv.value));
    }
    assertThat(scanned).containsExactly("b=stored", "c=live", "d=new");
    assertThat(writes).isEmpty();
  }

  private static KeyValueIterator<String, String> iterator(
      Iterator<Map.Entry<String, String>> entries) {
    return new KeyValueIterator<>() {
      @Override
      public boolean hasNext() {
        return entries.hasNext();
      }

      @Override
      public KeyValue<String, String> next() {
        Map.Entry<String, String> e = entries.next();
        return KeyValue.pair(e.getKey(), e.getValue());
      }

      @Override
      public String peekNextKey() {
        throw new UnsupportedOperationException();
      }

      @Override
      public void close() {}
    };
  }
}
