package dev.routemetrics.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The live objects stay within their budget, and what leaves them early is written through, never lost. */
class LiveObjectStoreTest {

  /** What the store below the live objects holds: written through on eviction or commit. */
  private final Map<String, String> stored = new HashMap<>();
  private LiveObjectStore<String> store;

  @BeforeEach
  void setUp() {
    @SuppressWarnings("unchecked")
    KeyValueStore<String, String> inner = (KeyValueStore<String, String>) Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {KeyValueStore.class}, (proxy, method, args) -> switch (method.getName()) {
          case "get" -> stored.get(args[0]);
          case "put" -> stored.put((String) args[0], (String) args[1]);
          case "delete" -> stored.remove(args[0]);
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
}
